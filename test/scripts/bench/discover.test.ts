import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/cli.js';
import { benchmarksOf, discoverBenchmarks, selectBenchmarks } from '../../../scripts/bench/discover.js';
import { checkOutcome, meetsTarget } from '../../../scripts/bench/runner.js';
import type { Benchmark } from '../../../scripts/bench/types.js';

const b = (name: string): Benchmark => ({ name, description: '', unit: 'ratio', target: '>= 1', higherIsBetter: true, run: () => Promise.reject(new Error('not run')) });

test('benchmarksOf takes default and named exports, single or arrays, each once', () => {
  const one = b('one');
  const two = b('two');
  const three = b('three');
  assert.deepEqual(benchmarksOf({ default: [one, two], two, also: [three], other: { name: 'no run function' }, n: 3 }).map((x) => x.name), ['one', 'two', 'three']);
  assert.deepEqual(benchmarksOf({ default: one }).map((x) => x.name), ['one']);
  assert.deepEqual(benchmarksOf({}), []);
});

test('discoverBenchmarks imports every module in the directory; names are unique across modules', async () => {
  const { found, broken } = await discoverBenchmarks(join(REPO_ROOT, 'dist', 'test', 'fixtures', 'bench'));
  assert.deepEqual(broken, []);
  assert.deepEqual(found.map((f) => `${f.module}/${f.benchmark.name}`), ['alpha/fixture_ratio', 'alpha/fixture_ms', 'beta/fixture_broken', 'beta/fixture_unavailable']);
  await assert.rejects(discoverBenchmarks(join(REPO_ROOT, 'no-such-dir')), /cannot read the benchmarks directory .*no-such-dir: ENOENT/);
});

test('the real benchmarks directory holds the passthrough benchmark', async () => {
  const { found, broken } = await discoverBenchmarks(join(REPO_ROOT, 'dist', 'scripts', 'bench', 'benchmarks'));
  assert.deepEqual(broken, []);
  assert.ok(found.some((f) => f.benchmark.name === 'passthrough_ratio' && f.module === 'passthrough'));
});

test('selectBenchmarks: by benchmark or module name; unknown names listed with the valid ones', () => {
  const found = [
    { module: 'm1', benchmark: b('a') },
    { module: 'm1', benchmark: b('b') },
    { module: 'm2', benchmark: b('c') },
  ];
  assert.deepEqual(selectBenchmarks(found, null).map((f) => f.benchmark.name), ['a', 'b', 'c']);
  assert.deepEqual(selectBenchmarks(found, ['m1']).map((f) => f.benchmark.name), ['a', 'b']);
  assert.deepEqual(selectBenchmarks(found, ['c', 'a']).map((f) => f.benchmark.name), ['a', 'c']);
  assert.throws(() => selectBenchmarks(found, ['a', 'zz']), { message: '--only: unknown benchmark "zz"; valid: a, b, c, m1, m2' });
  assert.deepEqual(selectBenchmarks(found, ['broken', 'c'], ['broken']).map((f) => f.benchmark.name), ['c']);
});

test('meetsTarget reads >=, <=, >, < and thousands separators; other text is not judged', () => {
  assert.equal(meetsTarget(0.9, '>= 0.9'), true);
  assert.equal(meetsTarget(0.89, '>= 0.9'), false);
  assert.equal(meetsTarget(300, '<= 300 ms'), true);
  assert.equal(meetsTarget(1_000_001, '≥ 1,000,000 lines/s'), true);
  assert.equal(meetsTarget(999_999, '>= 1000000'), false);
  assert.equal(meetsTarget(2, '< 2'), false);
  assert.equal(meetsTarget(2, '> 1'), true);
  assert.equal(meetsTarget(1, 'within 2%'), null);
});

test('checkOutcome rejects a figure or repeats the result file could not hold', () => {
  assert.doesNotThrow(() => checkOutcome('x', { figure: 1, repeats: [1] }));
  assert.throws(() => checkOutcome('x', { figure: Number.NaN, repeats: [1] }), /non-finite figure/);
  assert.throws(() => checkOutcome('x', { figure: 1, repeats: [] }), /no finite repeats/);
  assert.throws(() => checkOutcome('x', { figure: 1, repeats: [1, Infinity] }), /no finite repeats/);
});
