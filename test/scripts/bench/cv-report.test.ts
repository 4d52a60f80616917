import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '../../helpers/cli.js';
import { entry, makeResult, runBenchScript, writeJson, writeResults } from './helpers.js';

const GATES = { defaults: { mode: 'soft', tolerance_pct: 10, cv_threshold_pct: 5 }, benchmarks: { wobbly: { cv_threshold_pct: 50 } } };

/** Result files for `n` runs where each benchmark's i-th figure comes from its series. */
function series(dir: string, s: Record<string, (i: number) => number>, n: number, quick = false): void {
  writeResults(
    dir,
    Array.from({ length: n }, (_, i) =>
      makeResult(i, Object.fromEntries(Object.entries(s).map(([k, f]) => [k, entry(f(i))])), { options: { repeats: 1, quick, only: null } }),
    ),
  );
}

function rowOf(stdout: string, name: string): string {
  const row = stdout.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(row, `no row for ${name} in:\n${stdout}`);
  return row;
}

test('cv-report over generated runs: mean, sample stdev, CV% and a verdict per benchmark', () => {
  const { dir, cleanup } = tempDir();
  try {
    const results = join(dir, 'results');
    // known-variance case: 10 runs each at 10, 20, 30 -> mean 20, stdev 8.3046, CV 41.52%
    series(results, { known: (i) => [10, 20, 30][Math.floor(i / 10)]!, flat: () => 2, wobbly: (i) => [10, 20, 30][Math.floor(i / 10)]! }, 30);
    const gates = writeJson(join(dir, 'gates.json'), GATES);
    const r = runBenchScript('cv-report', ['30', '--results', results, '--gates', gates, '--baseline', join(dir, 'none.json')], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^CV report over the last 30 of 30 result files in /m);
    assert.match(r.stdout, /^benchmark\s+unit\s+source\s+n\s+mean\s+stdev\s+CV%\s+gate\s+verdict$/m);
    assert.match(rowOf(r.stdout, 'known'), /^known\s+ratio\s+30 runs\s+30\s+20\s+8\.305\s+41\.52%\s+soft\s+OVER \(graduation blocked\)$/);
    assert.match(rowOf(r.stdout, 'flat'), /^flat\s+ratio\s+30 runs\s+30\s+2\s+0\s+0\.00%\s+soft\s+OK \(<5%\)$/);
    assert.match(rowOf(r.stdout, 'wobbly'), /41\.52%\s+soft\s+OK \(<50%\)$/);
    assert.match(r.stdout, /^may graduate to a hard gate \(CV below its threshold over at least 10 runs\): flat, wobbly; set its "mode" to "hard" in bench\/gates\.json$/m);
    assert.equal(r.stderr, '');
  } finally {
    cleanup();
  }
});

test('the default window is the last 10 results; --quick results are left out', () => {
  const { dir, cleanup } = tempDir();
  try {
    const results = join(dir, 'results');
    // 5 old outliers, then 10 steady runs; quick runs written later must not count
    series(results, { b: (i) => (i < 5 ? 1000 : 4) }, 15);
    writeResults(join(results), [makeResult(100, { b: entry(9999) }, { options: { repeats: 1, quick: true, only: null } })]);
    const r = runBenchScript('cv-report', ['--results', results, '--baseline', join(dir, 'none.json'), '--gates', join(dir, 'none-gates.json')], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /last 10 of 15 result files/);
    assert.match(r.stdout, /left out 1 --quick result file/);
    assert.match(rowOf(r.stdout, 'b'), /^b\s+ratio\s+10 runs\s+10\s+4\s+0\s+0\.00%\s+soft\s+OK \(<5%\)$/);
  } finally {
    cleanup();
  }
});

test('fewer result files than needed: falls back to the baseline, says so, exit 0', () => {
  const { dir, cleanup } = tempDir();
  try {
    const results = join(dir, 'results');
    series(results, { b: (i) => i + 1 }, 3);
    const baseline = writeJson(join(dir, 'baseline.json'), makeResult(0, { b: entry(10, { repeats: [9, 10, 11] }) }));
    const r = runBenchScript('cv-report', ['--results', results, '--baseline', baseline, '--gates', join(dir, 'none.json')], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /fallback: 3 result file\(s\) in .*, 10 needed; benchmarks with fewer than 10 runs use the baseline's repeats/);
    assert.match(rowOf(r.stdout, 'b'), /baseline repeats \(3; 3 runs found\)\s+3\s+10\s+1\s+10\.00%\s+soft\s+OVER \(graduation blocked\)$/);
    assert.match(r.stdout, /no soft gate may graduate yet/);
  } finally {
    cleanup();
  }
});

test('a missing or empty --results directory exits 2 with a message', () => {
  const { dir, cleanup } = tempDir();
  try {
    const missing = runBenchScript('cv-report', ['--results', join(dir, 'nope')], dir);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `bench:cv-report: results directory ${join(dir, 'nope')} does not exist; name a directory holding bench result files\n`);
    assert.equal(missing.stdout, '');
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'not a result');
    const r = runBenchScript('cv-report', ['--results', empty], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^bench:cv-report: results directory .*empty holds no bench result file/);
  } finally {
    cleanup();
  }
});

test('a broken result file is skipped with a warning, the rest reported', () => {
  const { dir, cleanup } = tempDir();
  try {
    const results = join(dir, 'results');
    series(results, { b: () => 1 }, 2);
    writeFileSync(join(results, 'torn.json'), '{"result_version": 1, "timest');
    const r = runBenchScript('cv-report', ['2', '--results', results, '--baseline', join(dir, 'none.json'), '--gates', join(dir, 'none.json')], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^bench:cv-report: skipping .*torn\.json is not JSON/);
    assert.match(rowOf(r.stdout, 'b'), /2 runs\s+2\s+1\s+0\s+0\.00%/);
  } finally {
    cleanup();
  }
});

test('unknown flags and a bad N exit 2 with one line', () => {
  const { dir, cleanup } = tempDir();
  try {
    const cases: [string[], string][] = [
      [['--frobnicate'], 'bench:cv-report: Unknown argument: frobnicate\n'],
      [['1'], 'bench:cv-report: N (how many recent result files) must be an integer >= 2, got "1"\n'],
      [['ten'], 'bench:cv-report: N (how many recent result files) must be an integer >= 2, got "ten"\n'],
      [['10', '20'], 'bench:cv-report: Unknown argument: 20\n'],
    ];
    for (const [args, message] of cases) {
      const r = runBenchScript('cv-report', args, dir);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stderr, message);
    }
  } finally {
    cleanup();
  }
});

test('the repository gates file is valid, and a hard gate naming no benchmark is warned about', () => {
  const { dir, cleanup } = tempDir();
  try {
    const results = join(dir, 'results');
    series(results, { b: () => 1 }, 2);
    const r = runBenchScript('cv-report', ['2', '--results', results, '--baseline', join(dir, 'none.json')], dir);
    assert.equal(r.code, 0, r.stderr); // the default bench/gates.json parses
    const gates = writeJson(join(dir, 'gates.json'), { defaults: {}, benchmarks: { bb: { mode: 'hard' }, cc: { mode: 'soft' } } });
    const w = runBenchScript('cv-report', ['2', '--results', results, '--baseline', join(dir, 'none.json'), '--gates', gates], dir);
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stdout, /^warning: .*gates\.json declares a hard gate for "bb", a benchmark in no result and not in the baseline/m);
    assert.doesNotMatch(w.stdout, /"cc"/);
  } finally {
    cleanup();
  }
});

test('a gates file with an invalid mode is refused, naming the valid ones', () => {
  const { dir, cleanup } = tempDir();
  try {
    const results = join(dir, 'results');
    series(results, { b: () => 1 }, 2);
    const gates = writeJson(join(dir, 'gates.json'), { defaults: {}, benchmarks: { b: { mode: 'strict' } } });
    const r = runBenchScript('cv-report', ['2', '--results', results, '--gates', gates], dir);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr, `bench:cv-report: ${gates}: benchmarks.b.mode is "strict"; valid: soft, hard\n`);
  } finally {
    cleanup();
  }
});

test('a reader that goes away early (| head) ends the report quietly, exit 0', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const results = join(dir, 'results');
    // enough rows that the output outlasts the pipe's first read
    series(results, Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`b${i}`, () => i + 1])), 2);
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'scripts', 'bench', 'cv-report.js'), '2', '--results', results, '--baseline', join(dir, 'none.json')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(stderr, '');
    assert.equal(code, 0);
  } finally {
    cleanup();
  }
});
