import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveRates, RateTracker, sumPidDeltas, weightedMean } from '../../src/aggregation/derive.js';
import type { StampedReading } from '../../src/aggregation/window.js';

/** A window from [t, {pid: [value, elapsed]}] rows. */
function win(rows: Array<[number, Record<number, [number, number]>]>): StampedReading[] {
  return rows.map(([t, pids]) => ({
    t,
    reading: { perPid: new Map(Object.entries(pids).map(([p, [v, e]]) => [Number(p), { cpu: v, elapsed: e }])), single: {} },
  }));
}
const close = (a: number | undefined, b: number, msg?: string): void => assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${msg ?? ''} ${a} ≉ ${b}`);

test('rates: a newborn falls back to counter/elapsed, then Δ/Δt; the seed carries across the report boundary', () => {
  // pid 1 born 0.5 s before the first reading with 0.4 s of CPU: 80% since birth
  const w1 = win([
    [10, { 1: [0.4, 0.5] }],
    [11, { 1: [1.4, 1.5] }],
  ]);
  const r1 = deriveRates(w1, 'cpu', new Map());
  close(r1.series[0]!.values.get(1) as number, 0.8, 'rate since birth');
  close(r1.series[1]!.values.get(1) as number, 1.0, 'Δ/Δt');
  // next window: the first reading is against the carried seed (t=11, v=1.4), not since birth
  const w2 = win([[13, { 1: [2.4, 3.5] }]]);
  const r2 = deriveRates(w2, 'cpu', r1.seeds);
  close(r2.series[0]!.values.get(1) as number, 0.5, 'seed from the previous window: (2.4-1.4)/(13-11)');
});

test('rates: a newborn too young for a rate since birth waits for its second reading', () => {
  const r = deriveRates(win([[1, { 5: [0.03, 0.01] }], [2, { 5: [1.03, 1.01] }]]), 'cpu', new Map());
  assert.equal(r.series[0]!.values.has(5), false, '0.03 s of CPU in 0.01 s of life is rounding, not 300%');
  close(r.series[1]!.values.get(5) as number, 1.0);
});

test('rates: a pid that exited is dropped from the seeds; a counter that went back is a new process', () => {
  const r = deriveRates(win([[1, { 1: [5, 100], 2: [1, 1] }]]), 'cpu', new Map([[1, { t: 0, v: 9 }], [3, { t: 0, v: 1 }]]));
  close(r.series[0]!.values.get(1) as number, 0.05, 'went back 9→5: 5/100 since birth');
  assert.deepEqual([...r.seeds.keys()].sort(), [1, 2]);
});

test('sum_pid_deltas: a pid that exits mid-window still counts; never the delta of the sum', () => {
  // pid 1 lives throughout (seed 2 from the previous window), pid 2 accrues 3 s and exits before t=3
  const w = win([
    [1, { 1: [3, 10], 2: [1, 0.5] }],
    [2, { 1: [4, 11], 2: [3, 1.5] }],
    [3, { 1: [5, 12] }],
  ]);
  const r = sumPidDeltas(w, 'cpu', new Map([[1, 2]]), () => true);
  close(r.value, (5 - 2) + (3 - 0));
  // delta-of-sum would have been (5) − (3+1) = 1 for the window, losing the exited pid's work
  assert.deepEqual([...r.seeds], [[1, 5], [2, 3]]);
  // next window: pid 2 is gone and contributes nothing more
  const r2 = sumPidDeltas(win([[4, { 1: [6, 13] }]]), 'cpu', r.seeds, () => true);
  close(r2.value, 1);
});

test('sum_pid_deltas: a process older than the run is seeded at its first reading', () => {
  const w = win([
    [1, { 7: [100, 5000] }],
    [2, { 7: [101.5, 5001] }],
  ]);
  const r = sumPidDeltas(w, 'cpu', new Map(), (elapsed) => (elapsed ?? 0) < 10);
  close(r.value, 1.5);
});

test('time-weighted mean: each sample weighs the time since the previous one', () => {
  // prevT 0; samples at 1 (v=10), 3 (v=40): weights 1 and 2 → (10 + 80) / 3
  close(weightedMean([{ t: 1, v: 10 }, { t: 3, v: 40 }], 0), 30);
  assert.equal(weightedMean([], 0), undefined);
  close(weightedMean([{ t: 5, v: 7 }], 5), 7, 'zero weight: plain mean');
});

test('a counter in whole seconds (ps cputime) gives rates only over spans of at least minSpanSeconds: one second moves them 10% at most', () => {
  // one process busy on one core from t = 0, sampled every 0.5 s; ps prints floor(CPU seconds)
  const readings = (n: number) => Array.from({ length: n }, (_, i) => ({ t: i * 0.5, reading: { perPid: new Map([[7, { cputime: Math.floor(i * 0.5), elapsed: i * 0.5 }]]), single: {} } }));
  const naive = new RateTracker('cputime');
  const spans = new RateTracker('cputime', undefined, 10);
  const naiveRates: number[] = [];
  const spanRates: Array<[number, number]> = [];
  for (const { t, reading } of readings(81)) {
    naive.sample(t, reading);
    if (naive.size) naiveRates.push(naive.rates[0]!);
    spans.sample(t, reading);
    if (spans.size) spanRates.push([t, spans.rates[0]!]);
  }
  // between consecutive samples the whole-second counter reads 0% or 200% of one core
  assert.equal(Math.max(...naiveRates), 2);
  assert.ok(spanRates.length > 50, `rates from 10 s on: ${spanRates.length}`);
  assert.equal(spanRates[0]![0], 10, 'the first rate once the process is a span old');
  for (const [t, r] of spanRates) assert.ok(r >= 0.9 && r <= 1.1, `rate ${r} at ${t} s`);
});

test('rates over spans: a process seen late falls back to its rate since birth once it is a span old; a reused pid starts over', () => {
  const tr = new RateTracker('cputime', undefined, 10);
  tr.sample(0, { perPid: new Map([[1, { cputime: 3, elapsed: 4 }]]), single: {} });
  assert.equal(tr.size, 0, 'younger than a span: no rate yet');
  tr.sample(1, { perPid: new Map([[2, { cputime: 6, elapsed: 12 }]]), single: {} });
  assert.deepEqual([tr.size, tr.rates[0]], [1, 0.5]);
  // pid 1 again, its counter gone back: a new process with that pid
  tr.sample(11, { perPid: new Map([[1, { cputime: 0, elapsed: 1 }]]), single: {} });
  assert.equal(tr.size, 0);
});
