import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarize } from '../../../scripts/bench/stats.js';

const repeat = (v: number, times: number): number[] => Array.from({ length: times }, () => v);

test('zero variance: stdev 0 and CV 0%', () => {
  const s = summarize(repeat(7.5, 10));
  assert.equal(s.n, 10);
  assert.equal(s.mean, 7.5);
  assert.equal(s.stdev, 0);
  assert.equal(s.cvPct, 0);
});

test('known variance {10 x10, 20 x10, 30 x10}: mean 20, sample stdev 8.3046, CV 41.52%', () => {
  // by hand: sum of squared deviations = 10*100 + 0 + 10*100 = 2000; /(30-1) = 68.9655; sqrt = 8.30455
  const s = summarize([...repeat(10, 10), ...repeat(20, 10), ...repeat(30, 10)]);
  assert.equal(s.n, 30);
  assert.ok(Math.abs(s.mean! - 20) < 1e-12);
  assert.ok(Math.abs(s.stdev! - 8.3046) < 1e-4, `stdev ${s.stdev}`);
  assert.ok(Math.abs(s.cvPct! - 41.52) < 0.1, `cv ${s.cvPct}`);
});

test('two values: the n-1 denominator, not n', () => {
  // {1, 3}: mean 2, squared deviations 1 + 1 = 2, /(2-1) = 2, stdev sqrt(2); a population stdev would be 1
  const s = summarize([1, 3]);
  assert.ok(Math.abs(s.stdev! - Math.SQRT2) < 1e-12);
  assert.ok(Math.abs(s.cvPct! - 100 * (Math.SQRT2 / 2)) < 1e-9);
});

test('a single sample: a mean, but no stdev or CV', () => {
  assert.deepEqual(summarize([42]), { n: 1, mean: 42, stdev: null, cvPct: null });
});

test('no samples: nothing defined', () => {
  assert.deepEqual(summarize([]), { n: 0, mean: null, stdev: null, cvPct: null });
});

test('a zero mean has no CV; a negative mean gives a positive CV', () => {
  assert.equal(summarize([-1, 1]).cvPct, null);
  const s = summarize([-10, -20, -30]);
  assert.ok(s.cvPct! > 0);
  assert.ok(Math.abs(s.cvPct! - 50) < 1e-9); // stdev 10 over |mean| 20
});
