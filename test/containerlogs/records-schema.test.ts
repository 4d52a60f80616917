import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { containerDir, cri, readAll, recordsValidator, ts, write } from './pods.js';

test('records emitted for pod and non-pod files validate against schema/records.schema.json', async () => {
  const { dir, cleanup } = tempDir('duct-clogs-schema-');
  try {
    const c = containerDir(dir);
    write(join(c, '0.log'), cri(ts(1), 'stdout', 'P', 'a'), cri(ts(2), 'stdout', 'F', 'b'), cri(ts(3), 'stderr', 'P', 'dangling'));
    write(join(dir, 'loose.log'), cri('2024-05-01T12:00:00+02:00', 'stdout', 'F', 'no pod layout'));
    const { records } = await readAll([join(dir, '*/*/*.log'), join(dir, 'loose.log')]);
    assert.equal(records.length, 3);
    const validate = recordsValidator();
    for (const r of records) assert.ok(validate(r), JSON.stringify(validate.errors));
    const loose = records.find((r) => r.file === join(dir, 'loose.log'));
    assert.deepEqual([loose?.namespace, loose?.message, loose?.time_unix_nano], [undefined, 'no pod layout', '1714557600000000000']);
  } finally {
    cleanup();
  }
});

test('the records schema is closed and keeps pod metadata together', () => {
  const validate = recordsValidator();
  const ok = {
    file: '/x/0.log', format: 'cri', stream: 'stdout', time: 't', time_unix_nano: '1', message: '', chunks: 1,
    truncated: false, original_length_bytes: 0, incomplete: false,
  };
  assert.ok(validate(ok));
  assert.ok(!validate({ ...ok, extra: 1 }));
  assert.ok(!validate({ ...ok, namespace: 'ns' }));
  assert.ok(!validate({ ...ok, time_unix_nano: 1 }));
  assert.ok(validate({ ...ok, namespace: 'ns', pod: 'p', pod_uid: 'u', container: 'c', restart_count: 0 }));
});
