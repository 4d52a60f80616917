import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cvRows, planReport, sourceText, verdictText, type ReportInput } from '../../../scripts/bench/cv.js';
import type { GatesFile } from '../../../scripts/bench/gates.js';
import { entry, makeResult } from './helpers.js';

const gates: GatesFile = {
  defaults: { mode: 'soft', tolerance_pct: 10, cv_threshold_pct: 5 },
  benchmarks: { noisy: { cv_threshold_pct: 50 }, already_hard: { mode: 'hard' } },
};

/** n runs, each holding every benchmark's i-th figure. */
function runs(series: Record<string, number[]>): ReturnType<typeof makeResult>[] {
  const n = Math.max(...Object.values(series).map((s) => s.length));
  return Array.from({ length: n }, (_, i) =>
    makeResult(i, Object.fromEntries(Object.entries(series).flatMap(([k, s]) => (s[i] === undefined ? [] : [[k, entry(s[i])]])))),
  );
}

test('several benchmarks at once: each its own mean, stdev, CV and verdict', () => {
  const tens = Array.from({ length: 10 }, () => 10);
  const known = [...Array.from({ length: 10 }, () => 10), ...Array.from({ length: 10 }, () => 20), ...Array.from({ length: 10 }, () => 30)];
  const rows = cvRows(runs({ flat: [...tens, ...tens, ...tens], noisy: known, spread: known, already_hard: [...tens, ...tens, ...tens] }), 30, null, gates);
  const by = Object.fromEntries(rows.map((r) => [r.name, r]));
  assert.equal(by.flat!.summary.cvPct, 0);
  assert.equal(by.flat!.verdict, 'ok');
  assert.equal(verdictText(by.flat!), 'OK (<5%)');
  assert.equal(by.flat!.mayGraduate, true);
  assert.ok(Math.abs(by.spread!.summary.cvPct! - 41.52) < 0.1);
  assert.equal(by.spread!.verdict, 'over');
  assert.equal(verdictText(by.spread!), 'OVER (graduation blocked)');
  assert.equal(by.spread!.mayGraduate, false);
  assert.equal(by.noisy!.verdict, 'ok'); // same figures, but its own threshold is 50%
  assert.equal(verdictText(by.noisy!), 'OK (<50%)');
  assert.equal(by.already_hard!.mayGraduate, false); // nothing to graduate: it is hard already
  assert.equal(sourceText(by.flat!.source), '30 runs');
});

test('only the last N runs count', () => {
  const rows = cvRows(runs({ b: [1000, 1, 1, 1] }), 3, null, gates);
  assert.equal(rows[0]!.summary.n, 3);
  assert.equal(rows[0]!.summary.mean, 1);
});

test('fewer runs than needed: the baseline repeats stand in, and graduation stays blocked', () => {
  const baseline = makeResult(0, { b: entry(10, { repeats: [9, 10, 11] }), only_base: entry(1, { repeats: [1] }) });
  const rows = cvRows(runs({ b: [1, 2, 3] }), 10, baseline, gates);
  const by = Object.fromEntries(rows.map((r) => [r.name, r]));
  assert.deepEqual(by.b!.source, { kind: 'baseline', repeats: 3, runsFound: 3 });
  assert.equal(by.b!.summary.mean, 10);
  assert.equal(by.b!.summary.stdev, 1);
  assert.equal(by.b!.mayGraduate, false);
  // a baseline with one repeat has no spread to offer
  assert.equal(by.only_base!.verdict, 'no_data');
  assert.match(verdictText(by.only_base!), /graduation blocked/);
});

test('a window under 10 runs never makes a gate eligible, even when steady', () => {
  const rows = cvRows(runs({ b: [5, 5, 5] }), 3, null, gates);
  assert.equal(rows[0]!.verdict, 'ok');
  assert.equal(rows[0]!.mayGraduate, false);
});

test('no runs and no baseline: no rows', () => {
  assert.deepEqual(cvRows([], 10, null, gates), []);
});

const plan = (over: Partial<ReportInput>): ReturnType<typeof planReport> =>
  planReport({ dir: 'bench/results', explicitDir: false, dirExists: true, all: [], window: 10, baseline: null, baselinePath: 'bench/baselines.json', gates, ...over });

test('the default results directory missing on a fresh clone: fall back to the baseline, say so', () => {
  const baseline = makeResult(0, { b: entry(10, { repeats: [9, 10, 11] }) });
  const p = plan({ dirExists: false, baseline });
  assert.deepEqual(p.rows.map((r) => [r.name, r.source.kind]), [['b', 'baseline']]);
  assert.deepEqual(p.preamble, [
    "fallback: bench/results does not exist, 10 needed; benchmarks with fewer than 10 runs use the baseline's repeats within one run (bench/baselines.json, 2026-01-01T00:00:00.000Z), which is not the across-run CV that graduation needs",
  ]);
});

test('no results and no baseline either: an empty report that says why', () => {
  const p = plan({ dirExists: false });
  assert.deepEqual(p.rows, []);
  assert.deepEqual(p.preamble, ['fallback: bench/results does not exist, 10 needed, and no baseline at bench/baselines.json: nothing to report yet']);
});

test('a named directory that is missing or empty is a usage error (exit 2)', () => {
  assert.throws(() => plan({ explicitDir: true, dirExists: false, dir: '/x' }), { message: 'results directory /x does not exist; name a directory holding bench result files', exitCode: 2 });
  assert.throws(() => plan({ explicitDir: true, dir: '/x' }), { exitCode: 2, message: /results directory \/x holds no bench result file/ });
});

test('quick results are left out of the window and counted in the preamble', () => {
  const full = Array.from({ length: 10 }, (_, i) => makeResult(i, { b: entry(1) }));
  const quick = makeResult(20, { b: entry(50) }, { options: { repeats: 1, quick: true, only: null } });
  const p = plan({ all: [...full, quick] });
  assert.equal(p.rows[0]!.summary.cvPct, 0);
  assert.equal(p.preamble[1], 'left out 1 --quick result file(s)');
});
