import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRun, summarizeInfoText } from '../../../src/files/run-reader.js';
import { REPO_ROOT, runCli, tempDir } from '../../helpers/cli.js';

const FIX = join(REPO_ROOT, 'test', 'fixtures', 'conduct');

test('the shared run reader hands con-duct runs to the legacy reader: summary, units and usage series', async () => {
  const view = await readRun(join(FIX, 'v0.2.1', '2024.10.03T09.15.00-51234_info.json'));
  assert.equal(view.format, 'con-duct-0.2');
  assert.equal(view.summary.conduct_peak_rss, 629145600);
  assert.equal(view.units.conduct_peak_pcpu, 'percent');
  assert.equal((await view.usage()).length, 3);
  const jsonl = await readRun(join(FIX, 'v0.2.2-jsonl', '2025.12.10T14.02.11-777_info.json'));
  assert.equal((await jsonl.usage()).length, 2);
  assert.match(jsonl.warnings.join('\n'), /usage\.jsonl:3: torn last line/);
});

test("the ls index's summary reads a con-duct info.json holding Python's NaN", () => {
  const path = join(FIX, 'v0.2.0-nan', '2024.09.20T08.00.00-4242_info.json');
  const s = summarizeInfoText(path, readFileSync(path, 'utf8'));
  assert.equal(s.format, 'con-duct-0.2');
  assert.equal(s.summary.command, 'no-such-tool');
  assert.equal(s.summary.wall_clock_time, null);
  assert.match(s.warnings[0]!, /NaN or Infinity/);
});

test('duct ls lists con-duct runs with their memory peak, and never their lifetime pcpu as a CPU rate', async () => {
  const t = tempDir();
  try {
    cpSync(join(FIX, 'v0.2.1'), join(t.dir, 'runs'), { recursive: true });
    const r = await runCli(['ls', '-f', 'json', 'runs'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.mem_peak, 629145600);
    assert.equal(rows[0]!.cpu_peak, null);
  } finally {
    t.cleanup();
  }
});
