import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { assertRunsWrittenSinceValid } from '../helpers/validate.js';
import { runInfo } from './sample-info.js';

test('the black-box hook fails on a run written since the call began, names the problem, and ignores older runs', async () => {
  const t = tempDir();
  try {
    mkdirSync(join(t.dir, 'logs'));
    const old = join(t.dir, 'logs', 'old_info.json');
    writeFileSync(old, '{"not": "valid"}');
    utimesSync(old, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const since = Date.now();
    await assertRunsWrittenSinceValid(t.dir, since);
    writeFileSync(join(t.dir, 'logs', 'new_info.json'), JSON.stringify({ ...runInfo, exit_code: 'zero' }));
    await assert.rejects(assertRunsWrittenSinceValid(t.dir, since), /new_info\.json:1: \/exit_code: must be an integer or null, got a string/);
    writeFileSync(join(t.dir, 'logs', 'new_info.json'), JSON.stringify(runInfo));
    writeFileSync(join(t.dir, 'logs', 'new_usage.jsonl'), '{"torn');
    await assertRunsWrittenSinceValid(t.dir, since);
  } finally {
    t.cleanup();
  }
});
