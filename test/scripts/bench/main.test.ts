import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '../../helpers/cli.js';
import type { BenchResult } from '../../../scripts/bench/result.js';
import { runBenchScript } from './helpers.js';

const FIXTURES = join(REPO_ROOT, 'dist', 'test', 'fixtures', 'bench');

function onlyResult(dir: string): { name: string; result: BenchResult } {
  const files = readdirSync(dir);
  assert.equal(files.length, 1, `one result file expected, got ${files.join(', ')}`);
  return { name: files[0]!, result: JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')) as BenchResult };
}

test('bench runs every discovered module and writes one result file with machine, version, commit and per-benchmark figures', () => {
  const { dir, cleanup } = tempDir();
  try {
    const results = join(dir, 'results');
    const r = runBenchScript('main', ['--benchmarks-dir', FIXTURES, '--results', results, '--repeats', '3'], dir);
    assert.equal(r.code, 1, r.stderr); // fixture_broken failed
    assert.equal(r.stderr, ''); // no progress when stderr is not a terminal
    const { name, result } = onlyResult(results);
    assert.match(name, /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-[0-9a-f]{12}\.json$|^.*-unknown\.json$/);
    assert.equal(result.result_version, 1);
    assert.equal(result.duct_version, (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    assert.match(result.git.commit, /^[0-9a-f]{40}$/);
    assert.ok(result.machine.logical_cores >= 1);
    assert.ok(result.machine.memory_bytes > 0);
    assert.ok(result.machine.kind.length > 0);
    assert.deepEqual(result.options, { repeats: 3, quick: false, only: null });

    const ratio = result.benchmarks.fixture_ratio!;
    assert.deepEqual(ratio.repeats, [0.9, 0.91, 0.92]);
    assert.equal(ratio.figure, 0.91);
    assert.equal(ratio.median, 0.91);
    assert.equal(ratio.unit, 'ratio');
    assert.equal(ratio.target, '>= 0.9');
    assert.equal(ratio.higher_is_better, true);
    assert.equal(ratio.details?.tmp_existed, true);
    assert.equal(existsSync(ratio.details?.tmp as string), false, 'the scratch directory is removed afterwards');
    assert.equal(ratio.details?.duct_bin, join(REPO_ROOT, 'dist', 'bin', 'duct.js'));
    assert.equal(result.benchmarks.fixture_ms!.median, 12);
    assert.equal(result.benchmarks.fixture_ms!.higher_is_better, false);
    assert.deepEqual(result.skipped, { fixture_unavailable: 'needs a machine this test does not have' });
    assert.deepEqual(result.failed, { fixture_broken: 'kaput' });

    // the printed table: one row per benchmark, whether it meets its target, skips and failures with reasons
    assert.match(r.stdout, /^benchmark\s+figure\s+unit\s+target\s+meets/m);
    assert.match(r.stdout, /^fixture_ratio\s+0\.91\s+ratio\s+>= 0\.9\s+yes\s+3\s+0\.9\.\.0\.92$/m);
    assert.match(r.stdout, /^fixture_ms\s+12\s+ms\s+<= 10\s+NO\s+3/m);
    assert.match(r.stdout, /skipped fixture_unavailable: needs a machine this test does not have/);
    assert.match(r.stdout, /FAILED fixture_broken: kaput/);
    assert.ok(r.stdout.includes(`result: ${join(results, name)}`));
  } finally {
    cleanup();
  }
});

test('--only takes benchmark and module names; --quick sets one repeat and the quick flag', () => {
  const { dir, cleanup } = tempDir();
  try {
    const results = join(dir, 'results');
    const r = runBenchScript('main', ['--benchmarks-dir', FIXTURES, '--results', results, '--only', 'fixture_ratio', '--quick'], dir);
    assert.equal(r.code, 0, r.stderr);
    const { result } = onlyResult(results);
    assert.deepEqual(Object.keys(result.benchmarks), ['fixture_ratio']);
    assert.deepEqual(result.options, { repeats: 1, quick: true, only: ['fixture_ratio'] });
    assert.equal(result.benchmarks.fixture_ratio!.details?.quick, true);

    const results2 = join(dir, 'results2');
    const m = runBenchScript('main', ['--benchmarks-dir', FIXTURES, '--results', results2, '--only', 'alpha,fixture_unavailable', '--repeats', '2'], dir);
    assert.equal(m.code, 0, m.stderr);
    const second = onlyResult(results2).result;
    assert.deepEqual(Object.keys(second.benchmarks).sort(), ['fixture_ms', 'fixture_ratio']);
    assert.deepEqual(Object.keys(second.skipped), ['fixture_unavailable']);
  } finally {
    cleanup();
  }
});

test('--list prints the discovered benchmarks and runs nothing', () => {
  const { dir, cleanup } = tempDir();
  try {
    const r = runBenchScript('main', ['--benchmarks-dir', FIXTURES, '--results', join(dir, 'results'), '--list'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.split('\t').slice(0, 2).join(' ')), [
      'fixture_ratio alpha',
      'fixture_ms alpha',
      // a module namespace lists named exports alphabetically
      'fixture_broken beta',
      'fixture_unavailable beta',
    ]);
    assert.equal(existsSync(join(dir, 'results')), false);
  } finally {
    cleanup();
  }
});

test('bad usage exits 2 with one line naming the input and the valid choices, writing nothing', () => {
  const { dir, cleanup } = tempDir();
  try {
    const results = join(dir, 'results');
    const cases: [string[], RegExp][] = [
      [['--only', 'nope'], /^bench: --only: unknown benchmark "nope"; valid: alpha, beta, fixture_broken, fixture_ms, fixture_ratio, fixture_unavailable\n$/],
      [['--repeats', '0'], /^bench: --repeats must be an integer >= 1, got "0"\n$/],
      [['--repeats', 'x'], /^bench: --repeats must be an integer >= 1, got "x"\n$/],
      [['--frobnicate'], /^bench: Unknown argument: frobnicate\n$/],
    ];
    for (const [args, message] of cases) {
      const r = runBenchScript('main', ['--benchmarks-dir', FIXTURES, '--results', results, ...args], dir);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal(existsSync(results), false);

    // an unwritable results directory is refused before anything runs
    const blocked = join(dir, 'file');
    writeFileSync(blocked, '');
    const r = runBenchScript('main', ['--benchmarks-dir', FIXTURES, '--results', join(blocked, 'results')], dir);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `bench: cannot write results to ${join(blocked, 'results')}: ENOTDIR; name a writable directory with --results\n`);
    assert.equal(r.stdout, '');
  } finally {
    cleanup();
  }
});

test('a module that fails to import is reported as failed; the other modules still run', () => {
  const { dir, cleanup } = tempDir();
  try {
    // written here, not kept under test/fixtures, where the test runner would import it too
    const modules = join(dir, 'benchmarks');
    mkdirSync(modules);
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
    writeFileSync(join(modules, 'bad.js'), "throw new Error('bad cannot be imported');\n");
    writeFileSync(
      join(modules, 'good.js'),
      "export default { name: 'good_one', description: 'd', unit: 'x', target: '>= 1', higherIsBetter: true, run: async () => ({ figure: 2, repeats: [2] }) };\n",
    );
    const results = join(dir, 'results');
    const r = runBenchScript('main', ['--benchmarks-dir', modules, '--results', results], dir);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'bench: module bad failed to import: bad cannot be imported\n');
    const { result } = onlyResult(results);
    assert.equal(result.benchmarks.good_one!.figure, 2);
    assert.deepEqual(result.failed, { 'bad (module)': 'failed to import: bad cannot be imported' });
  } finally {
    cleanup();
  }
});
