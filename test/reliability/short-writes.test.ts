import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../src/files/atomic-json.js';
import { JsonlWriter } from '../../src/files/jsonl-writer.js';
import { pollUntil, runCli, tempDir } from '../helpers/cli.js';
import { fillLeaving, isRoot, mountSmallFs, NEEDS_ROOT } from './small-fs.js';

const skip = isRoot ? false : NEEDS_ROOT;
/** A document longer than the one page left free, so its write(2) comes back short. */
const big = (tag: string) => ({ tag, text: 'x'.repeat(10_000) });

test('atomic write with one page free: it throws ENOSPC, the previous file stays whole, no temp file is left', { skip }, () => {
  const t = tempDir();
  const { mnt, unmount } = mountSmallFs(t.dir, '1m');
  try {
    const path = join(mnt, 'r_info.json');
    writeJsonAtomic(path, { tag: 'previous' });
    const before = readFileSync(path);
    fillLeaving(mnt, 1);
    assert.throws(() => writeJsonAtomic(path, big('new')), /ENOSPC/);
    assert.deepEqual(readFileSync(path), before);
    assert.deepEqual(readdirSync(mnt).sort(), ['.filler', 'r_info.json']);
  } finally {
    unmount();
    t.cleanup();
  }
});

test('a usage line with one page free is written whole or not at all: the file ends with the last whole line', { skip }, () => {
  const t = tempDir();
  const { mnt, unmount } = mountSmallFs(t.dir, '1m');
  try {
    const w = new JsonlWriter(join(mnt, 'r_usage.jsonl'), true);
    w.write({ n: 1 });
    fillLeaving(mnt, 1);
    assert.throws(() => w.write(big('torn?')), /ENOSPC/);
    w.write({ n: 2 }); // a small line still fits in the page
    w.close();
    assert.equal(readFileSync(join(mnt, 'r_usage.jsonl'), 'utf8'), '{"n":1}\n{"n":2}\n');
  } finally {
    unmount();
    t.cleanup();
  }
});

test('the disk fills to one page mid-run: the final info.json is whole and finished, usage lines whole, one warning, the command status', { skip }, async () => {
  const t = tempDir();
  const { mnt, unmount } = mountSmallFs(t.dir, '1m');
  try {
    const prefix = join(mnt, 'r_');
    const go = join(t.dir, 'go');
    // a long message makes info.json longer than the page left free (the 4,096 bytes of a longer document)
    const pending = runCli(
      ['--fail-time', '0', '--s-i', '0.05', '--r-i', '0.1', '-m', 'm'.repeat(6000), '-p', prefix, 'sh', '-c', `while [ ! -e ${go} ]; do sleep 0.02; done; sleep 0.3`],
      { cwd: mnt },
    );
    await pollUntil(() => {
      try {
        return statSync(`${prefix}usage.jsonl`).size > 0;
      } catch {
        return false;
      }
    }, 20_000, 'a first usage line');
    fillLeaving(mnt, 1);
    writeFileSync(go, '');
    const r = await pending; // runCli validates every file of the run against schema/
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(readFileSync(`${prefix}info.json`, 'utf8'));
    assert.equal(info.status, 'finished');
    assert.equal(info.exit_code, 0);
    const lines = readFileSync(`${prefix}usage.jsonl`, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'ends with a whole line');
    for (const l of lines) JSON.parse(l);
    assert.ok(lines.length >= 1);
    const full = r.stderr.split('\n').filter((l) => /ENOSPC|no space/i.test(l));
    assert.equal(full.length, 1, r.stderr);
    assert.match(full[0]!, /^duct: warning: cannot write .*r_(info\.json|usage\.jsonl): ENOSPC.*held back/);
    assert.ok(info.warnings.some((w: string) => /ENOSPC/.test(w)));
  } finally {
    unmount();
    t.cleanup();
  }
});
