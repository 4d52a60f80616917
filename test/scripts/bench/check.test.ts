import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/cli.js';
import type { BenchResult } from '../../../scripts/bench/result.js';
import { entry, makeResult, runBenchScript, writeJson, writeResults } from './helpers.js';

function setUp(dir: string, mode: 'soft' | 'hard'): { baseline: string; gates: string } {
  return {
    baseline: writeJson(join(dir, 'baseline.json'), makeResult(0, { ratio: entry(1), ms: entry(100, { unit: 'ms', higher_is_better: false }) })),
    gates: writeJson(join(dir, 'gates.json'), { defaults: { mode: 'soft', tolerance_pct: 10, cv_threshold_pct: 5 }, benchmarks: { ms: { mode } } }),
  };
}

function rowOf(stdout: string, name: string): string {
  const row = stdout.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(row, `no row for ${name} in:\n${stdout}`);
  return row;
}

test('within tolerance: OK per benchmark, exit 0', () => {
  const { dir, cleanup } = tempDir();
  try {
    const { baseline, gates } = setUp(dir, 'hard');
    const [result] = writeResults(join(dir, 'results'), [makeResult(1, { ratio: entry(0.95), ms: entry(105, { unit: 'ms', higher_is_better: false }) })]);
    const r = runBenchScript('check', [result!, '--baseline', baseline, '--gates', gates], dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(rowOf(r.stdout, 'ratio'), /^ratio\s+1\s+0\.95\s+-5\.0%\s+10%\s+soft\s+OK$/);
    assert.match(rowOf(r.stdout, 'ms'), /^ms\s+100\s+105\s+\+5\.0%\s+10%\s+hard\s+OK$/);
    assert.match(r.stdout, /^PASS: 0 hard-gate failure\(s\), 0 soft-gate regression\(s\) reported only$/m);
  } finally {
    cleanup();
  }
});

test('a regression on a soft gate is reported, exit 0; on a hard gate, exit 1', () => {
  const { dir, cleanup } = tempDir();
  try {
    const slower = makeResult(1, { ratio: entry(0.5), ms: entry(150, { unit: 'ms', higher_is_better: false }) });
    const [result] = writeResults(join(dir, 'results'), [slower]);
    const soft = setUp(dir, 'soft');
    const s = runBenchScript('check', [result!, '--baseline', soft.baseline, '--gates', soft.gates], dir);
    assert.equal(s.code, 0, s.stdout + s.stderr);
    assert.match(rowOf(s.stdout, 'ms'), /\+50\.0%\s+10%\s+soft\s+REGRESSION beyond 10% \(soft gate: reported only\)$/);
    assert.match(s.stdout, /^PASS: 0 hard-gate failure\(s\), 2 soft-gate regression\(s\) reported only$/m);

    const hard = setUp(dir, 'hard');
    const h = runBenchScript('check', [result!, '--baseline', hard.baseline, '--gates', hard.gates], dir);
    assert.equal(h.code, 1, h.stdout + h.stderr);
    assert.match(rowOf(h.stdout, 'ms'), /hard\s+REGRESSION beyond 10% \(hard gate: fails\)$/);
    assert.match(h.stdout, /^FAIL: 1 hard-gate failure\(s\) \(ms\), 1 soft-gate regression\(s\) reported only$/m);
  } finally {
    cleanup();
  }
});

test('without RESULT the newest file in --results is checked; a machine mismatch is noted', () => {
  const { dir, cleanup } = tempDir();
  try {
    const { baseline, gates } = setUp(dir, 'hard');
    const other = { ...makeResult(0, {}).machine, kind: 'Other CPU x64, 512 GiB, linux x64' };
    writeResults(join(dir, 'results'), [
      makeResult(5, { ms: entry(100, { unit: 'ms', higher_is_better: false }) }, { machine: other }),
      makeResult(1, { ms: entry(999, { unit: 'ms', higher_is_better: false }) }),
    ]);
    const r = runBenchScript('check', ['--results', join(dir, 'results'), '--baseline', baseline, '--gates', gates], dir);
    assert.equal(r.code, 0, r.stdout); // the newest (minute 5) is within tolerance; the older 999 is not looked at
    assert.match(r.stdout, /^result: {3}.*2026-01-01T00-05-00-000Z-0000\.json/m);
    assert.match(r.stdout, /^note: measured on "Other CPU x64, 512 GiB, linux x64", baseline from "Test CPU x2, 4 GiB, linux x64"/m);
    assert.match(rowOf(r.stdout, 'ratio'), /NOT RUN/);
  } finally {
    cleanup();
  }
});

test('gates: an absolute tolerance is applied and shown; a line naming no benchmark is warned about', () => {
  const { dir, cleanup } = tempDir();
  try {
    const baseline = writeJson(join(dir, 'baseline.json'), makeResult(0, { err: entry(0.003, { higher_is_better: false, unit: 'relative error' }) }));
    const gates = writeJson(join(dir, 'gates.json'), {
      defaults: { mode: 'soft', tolerance_pct: 10, cv_threshold_pct: 5 },
      benchmarks: { err: { mode: 'hard', tolerance_abs: 0.01 }, errr: { mode: 'hard' } },
    });
    const [within, beyond] = writeResults(join(dir, 'results'), [
      makeResult(1, { err: entry(0.008, { higher_is_better: false, unit: 'relative error' }) }),
      makeResult(2, { err: entry(0.02, { higher_is_better: false, unit: 'relative error' }) }),
    ]);
    const ok = runBenchScript('check', [within!, '--baseline', baseline, '--gates', gates], dir);
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(rowOf(ok.stdout, 'err'), /10% or 0\.01\s+hard\s+OK$/);
    assert.match(ok.stdout, /^warning: .*gates\.json declares a hard gate for "errr", a benchmark in neither the result nor the baseline/m);
    const bad = runBenchScript('check', [beyond!, '--baseline', baseline, '--gates', gates], dir);
    assert.equal(bad.code, 1, bad.stdout);
    assert.match(rowOf(bad.stdout, 'err'), /REGRESSION beyond 10% or 0\.01 \(hard gate: fails\)$/);
  } finally {
    cleanup();
  }
});

test('--update-baseline accepts a result as the baseline, without its details', () => {
  const { dir, cleanup } = tempDir();
  try {
    const [result] = writeResults(join(dir, 'results'), [makeResult(1, { ratio: entry(0.97, { details: { raw: [1, 2, 3] } }) })]);
    const baseline = join(dir, 'baseline.json');
    const r = runBenchScript('check', [result!, '--baseline', baseline, '--update-baseline'], dir);
    assert.equal(r.code, 0, r.stderr);
    const written = JSON.parse(readFileSync(baseline, 'utf8')) as BenchResult;
    assert.equal(written.benchmarks.ratio!.figure, 0.97);
    assert.equal(written.benchmarks.ratio!.details, undefined);
    assert.equal(written.source, '2026-01-01T00-01-00-000Z-0000.json');
    // and the file it wrote is a baseline the check reads
    const again = runBenchScript('check', [result!, '--baseline', baseline, '--gates', join(dir, 'none.json')], dir);
    assert.equal(again.code, 0, again.stderr);
    assert.match(rowOf(again.stdout, 'ratio'), /OK$/);
  } finally {
    cleanup();
  }
});

test('bad input exits 2 with one line: unknown flag, missing result, no results, no baseline, not a result', () => {
  const { dir, cleanup } = tempDir();
  try {
    const [result] = writeResults(join(dir, 'results'), [makeResult(1, { ratio: entry(1) })]);
    const notResult = writeJson(join(dir, 'other.json'), { hello: 'world' });
    const cases: [string[], string][] = [
      [['--frobnicate'], 'bench:check: Unknown argument: frobnicate\n'],
      [[join(dir, 'missing.json')], `bench:check: cannot read bench result ${join(dir, 'missing.json')}: ENOENT\n`],
      [['--results', join(dir, 'empty')], `bench:check: no bench result in ${join(dir, 'empty')}; run \`npm run bench\` first, or name a result file\n`],
      [[result!, '--baseline', join(dir, 'nobase.json')], `bench:check: no baseline at ${join(dir, 'nobase.json')}; accept a result with \`npm run bench:check -- RESULT --update-baseline\`\n`],
      [[notResult], `bench:check: ${notResult} is not a bench result (expected result_version 1, timestamp and benchmarks)\n`],
    ];
    for (const [args, message] of cases) {
      const r = runBenchScript('check', args, dir);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, message);
    }
    assert.equal(existsSync(join(dir, 'nobase.json')), false);
  } finally {
    cleanup();
  }
});
