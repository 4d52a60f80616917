import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareToBaseline, hardFailures, isRegression, statusText } from '../../../scripts/bench/compare.js';
import type { GatesFile } from '../../../scripts/bench/gates.js';
import { entry, makeResult } from './helpers.js';

const gates: GatesFile = {
  defaults: { mode: 'soft', tolerance_pct: 10, cv_threshold_pct: 5 },
  benchmarks: { hard_one: { mode: 'hard' }, wide: { tolerance_pct: 50 } },
};

test('isRegression: higher is better, a drop beyond the tolerance only', () => {
  assert.equal(isRegression(0.91, 1, true, 10), false);
  assert.equal(isRegression(0.9, 1, true, 10), false); // exactly at the edge is within tolerance
  assert.equal(isRegression(0.89, 1, true, 10), true);
  assert.equal(isRegression(5, 1, true, 10), false); // better is never a regression
});

test('isRegression: lower is better, a rise beyond the tolerance only', () => {
  assert.equal(isRegression(109, 100, false, 10), false);
  assert.equal(isRegression(111, 100, false, 10), true);
  assert.equal(isRegression(1, 100, false, 10), false);
});

test('isRegression: an absolute slack covers figures near zero, where a percentage means nothing', () => {
  // a relative error of 0.003 -> 0.006 doubles, yet is well inside a 0.01 absolute slack
  assert.equal(isRegression(0.006, 0.003, false, 10), true);
  assert.equal(isRegression(0.006, 0.003, false, 10, 0.01), false);
  assert.equal(isRegression(0.014, 0.003, false, 10, 0.01), true);
  // the larger of the two applies
  assert.equal(isRegression(85, 100, true, 20, 1), false);
});

test('compareToBaseline: every status, per benchmark, with gate modes from the gates file', () => {
  const baseline = makeResult(0, {
    steady: entry(1),
    hard_one: entry(100, { higher_is_better: false, unit: 'ms' }),
    wide: entry(1),
    gone: entry(1),
    skipped_here: entry(1),
  });
  const result = makeResult(1, { steady: entry(0.95), hard_one: entry(130, { higher_is_better: false, unit: 'ms' }), wide: entry(0.6), fresh: entry(3) }, {
    skipped: { skipped_here: 'not root' },
    failed: {},
  });
  const rows = compareToBaseline(result, baseline, gates);
  const by = Object.fromEntries(rows.map((r) => [r.name, r]));
  assert.deepEqual(rows.map((r) => r.name), ['fresh', 'gone', 'hard_one', 'skipped_here', 'steady', 'wide']);
  assert.equal(by.steady!.status, 'ok');
  assert.ok(Math.abs(by.steady!.changePct! - -5) < 1e-9);
  assert.equal(by.hard_one!.status, 'regression');
  assert.equal(by.hard_one!.mode, 'hard');
  assert.equal(by.hard_one!.unit, 'ms');
  assert.equal(by.wide!.status, 'ok'); // -40% is inside its own 50% tolerance
  assert.equal(by.fresh!.status, 'new');
  assert.equal(by.gone!.status, 'not_run');
  assert.equal(by.skipped_here!.status, 'skipped');
  assert.equal(by.skipped_here!.note, 'not root');
  assert.deepEqual(hardFailures(rows).map((r) => r.name), ['hard_one']);
  assert.match(statusText(by.hard_one!), /REGRESSION beyond 10% \(hard gate: fails\)/);
});

test('a soft regression is reported but does not fail; a hard benchmark that failed to run does', () => {
  const baseline = makeResult(0, { soft_one: entry(1), hard_one: entry(1) });
  const result = makeResult(1, { soft_one: entry(0.5) }, { failed: { hard_one: 'boom' } });
  const rows = compareToBaseline(result, baseline, gates);
  const soft = rows.find((r) => r.name === 'soft_one')!;
  assert.equal(soft.status, 'regression');
  assert.match(statusText(soft), /soft gate: reported only/);
  assert.deepEqual(hardFailures(rows).map((r) => [r.name, r.status]), [['hard_one', 'failed']]);
});
