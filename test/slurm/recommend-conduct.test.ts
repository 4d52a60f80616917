import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const CONDUCT = join(REPO_ROOT, 'test', 'fixtures', 'conduct', 'v0.2.2-jsonl');

/** A copy of the con-duct fixture run under `dir` with `prefix`, recording `command` as con-duct does. */
function conductRun(dir: string, prefix: string, command: string): void {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(CONDUCT)) {
    const suffix = f.slice(f.indexOf('_') + 1);
    if (suffix !== 'info.json') {
      cpSync(join(CONDUCT, f), join(dir, `${prefix}${suffix}`));
      continue;
    }
    const info = JSON.parse(readFileSync(join(CONDUCT, f), 'utf8')) as { command: string; execution_summary: { command: string } };
    info.command = command;
    info.execution_summary.command = command;
    writeFileSync(join(dir, `${prefix}info.json`), JSON.stringify(info));
  }
}

test('recommend groups a con-duct run with a duct run of the same sh -c command, and sizes con-duct-only groups by its peak_rss', async () => {
  const t = tempDir();
  try {
    // con-duct recorded `sh -c 'sleep 0.2; echo hi'` unquoted
    conductRun(join(t.dir, 'logs'), 'c_', 'sh -c sleep 0.2; echo hi');
    conductRun(join(t.dir, 'logs'), 'p_', 'python train.py --epochs 2');
    const d = await runCli(['-q', '-p', 'logs/d_', 'sh', '-c', 'sleep 0.2; echo hi'], { cwd: t.dir });
    assert.equal(d.code, 0, d.stderr);
    const r = await runCli(['recommend', 'logs'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    const heads = r.stdout.split('\n').filter((l) => /^# \S/.test(l));
    assert.deepEqual(heads.map((l) => l.replace(/:.*/, '')), ["# sh -c 'sleep 0.2; echo hi'", '# python train.py --epochs 2'], 'one group per command, named as duct quotes it');
    assert.match(heads[0]!, /: 2 runs, /);
    assert.match(r.stdout, /^#   --mem=\S+: peak conduct_peak_rss 600\.00 MiB over 1 run \+ 20% headroom \(con-duct's summed RSS: shared pages counted once per process, an upper bound;/m);
    const json = await runCli(['recommend', '--json', 'logs'], { cwd: t.dir });
    const out = JSON.parse(json.stdout) as { groups: { group: string; runs: number; memory: { key: string } | null }[] };
    assert.deepEqual(out.groups.map((g) => [g.group, g.runs]), [["sh -c 'sleep 0.2; echo hi'", 2], ['python train.py --epochs 2', 1]]);
    assert.equal(out.groups[1]!.memory?.key, 'conduct_peak_rss');
  } finally {
    t.cleanup();
  }
});
