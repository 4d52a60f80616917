import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Aggregator, streamOf } from '../../src/aggregation/aggregator.js';
import { CATALOGUE } from '../../src/aggregation/catalogue.js';
import { isPerPidSource, type Measurement } from '../../src/aggregation/measurement.js';
import type { CollectorReading, PidFields } from '../../src/collectors/types.js';
import { BufferedAggregator } from './buffered-reference.js';

/**
 * The streaming Aggregator against the buffered reduce it replaced (kept in
 * buffered-reference.ts): the same random stream of readings and reports must
 * give the same usage records and run summary, to the last bit and in key order.
 */
const RUNS = { seed: 20261204, numRuns: 250 } as const;

// the catalogue, plus time-weighted means (a legal gauge reduce no catalogue key uses yet)
// (rates over minimum spans are new behaviour, not in the buffered reference: tested on their own in derive.test.ts)
const MEASUREMENTS: Measurement[] = [
  ...CATALOGUE.map((m) => ({ ...m, rateMinSpanSeconds: undefined }) as Measurement),
  { ...CATALOGUE.find((m) => m.key === 'proc_rss')!, key: 'proc_rss_mean', reduce: 'mean' } as Measurement,
  { ...CATALOGUE.find((m) => m.key === 'proc_rss_total')!, key: 'proc_rss_total_mean', reduce: 'mean' } as Measurement,
  { ...CATALOGUE.find((m) => m.key === 'cgroup_mem_current')!, key: 'cgroup_mem_current_mean', reduce: 'mean' } as Measurement,
  { ...CATALOGUE.find((m) => m.key === 'proc_rss_total')!, key: 'proc_rss_total_last', reduce: 'last' } as Measurement,
];
const STREAMS = [...new Set(MEASUREMENTS.map(streamOf))];
const PER_PID_FIELDS = [...new Set(MEASUREMENTS.filter(isPerPidSource).map((m) => m.field))].filter((f) => f !== 'elapsed');
const GROUP_FIELDS = [...new Set(MEASUREMENTS.filter((m) => !isPerPidSource(m)).map((m) => m.field))];

// counters that mostly grow, sometimes go back (a reused pid), gauges in bytes, fractions, states and labels
const num = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.double({ min: 0, max: 1e9, noNaN: true }), fc.constantFrom(0.1, 0.2, 0.3, 1e-9));
const value = (field: string): fc.Arbitrary<PidFields[string] | undefined> =>
  field === 'state' ? fc.constantFrom('R', 'S', 'D', 'Z', undefined) : field === 'cmd' ? fc.constantFrom('python train.py', 'sh', undefined) : fc.option(num, { nil: undefined, freq: 6 });
const pidRecord: fc.Arbitrary<PidFields> = fc
  .tuple(fc.option(fc.double({ min: 0, max: 20, noNaN: true }), { nil: undefined, freq: 4 }), ...PER_PID_FIELDS.map(value))
  .map(([elapsed, ...vals]) => {
    const rec: PidFields = {};
    if (elapsed !== undefined) rec['elapsed'] = elapsed;
    PER_PID_FIELDS.forEach((f, i) => {
      if (vals[i] !== undefined) rec[f] = vals[i]!;
    });
    return rec;
  });
const reading: fc.Arbitrary<CollectorReading> = fc
  .tuple(
    fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: 9 }), pidRecord), { maxLength: 7, selector: ([pid]) => pid }),
    fc.tuple(...GROUP_FIELDS.map(() => fc.option(num, { nil: undefined, freq: 4 }))),
  )
  .map(([pids, group]) => {
    const single: Record<string, number> = {};
    GROUP_FIELDS.forEach((f, i) => {
      if (group[i] !== undefined) single[f] = group[i]!;
    });
    return { perPid: new Map(pids), single };
  });
type Step = { push: { stream: string; dt: number; reading: CollectorReading } } | { report: true };
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ stream: fc.constantFrom(...STREAMS), dt: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 3, noNaN: true })), reading }).map((push) => ({ push })) },
  { weight: 1, arbitrary: fc.constant({ report: true as const }) },
);
const run = fc.record({
  startT: fc.double({ min: 0, max: 1e5, noNaN: true }),
  rootPid: fc.integer({ min: 1, max: 9 }),
  baseline: fc.option(fc.record({ 'cgroup:cpu_usage': num, 'cgroup:oom_kills': num, 'rusage:children_cpu': num }), { nil: undefined }),
  steps: fc.array(step, { maxLength: 40 }),
});

test('streaming reducers give the buffered reduce\'s records and summary exactly, on any stream of readings', () => {
  fc.assert(
    fc.property(run, ({ startT, rootPid, baseline, steps }) => {
      const opts = { startT, rootPid, newbornSlackSeconds: 2, ...(baseline ? { baseline } : {}) };
      const streaming = new Aggregator(MEASUREMENTS, opts);
      const buffered = new BufferedAggregator(MEASUREMENTS, opts);
      let t = startT;
      for (const s of [...steps, { report: true } as const]) {
        if ('push' in s) {
          t += s.push.dt;
          streaming.push(s.push.stream, t, s.push.reading);
          buffered.push(s.push.stream, t, s.push.reading);
          continue;
        }
        const got = streaming.report();
        const want = buffered.report();
        assert.deepStrictEqual(got, want);
        assert.equal(JSON.stringify(got), JSON.stringify(want), 'same keys in the same order');
      }
      const unit = (): 'count' => 'count';
      assert.equal(JSON.stringify(streaming.summaryJSON(unit)), JSON.stringify(buffered.summaryJSON(unit)));
      assert.deepStrictEqual(streaming.summaryJSON(unit), buffered.summaryJSON(unit));
    }),
    RUNS,
  );
});

test('a window keeps per pid what its reduce needs, not the samples: thousands of samples reduce like a few', () => {
  // 3,000 samples of 50 pids in one window: the buffered reduce would hold 150,000 readings
  const agg = new Aggregator(CATALOGUE.filter((m) => m.collector === 'proc'), { startT: 0, rootPid: 1 });
  const pids = Array.from({ length: 50 }, (_, i) => i + 1);
  for (let i = 1; i <= 3000; i++) {
    agg.push('proc', i * 0.05, { perPid: new Map(pids.map((p) => [p, { rss: p * 1000 + (i % 7), cputime: i * 0.05 * 0.5, elapsed: 10 + i * 0.05, state: i % 2 ? 'R' : 'S' }])), single: {} });
  }
  const r = agg.report();
  assert.equal(r['proc_nproc'], 50);
  assert.equal((r['proc_rss'] as Record<string, number>)['3'], 3006);
  assert.deepEqual((r['proc_stat'] as Record<string, Record<string, number>>)['1'], { R: 1500, S: 1500 });
  // half a core each: the window's CPU seconds are (last − first reading) per pid, the first of an old process its seed
  assert.ok(Math.abs((r['proc_cpu_seconds'] as number) - 50 * 2999 * 0.025) < 1e-6);
  assert.ok(Math.abs((r['proc_pdcpu_total'] as number) - 50 * 50) < 1e-6);
});
