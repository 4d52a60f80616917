import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { prepareMeasurements } from '../../src/aggregation/engine.js';
import { FaultGate } from '../../src/aggregation/fault-gate.js';
import type { Collector, CollectorReading, PidFields } from '../../src/collectors/types.js';
import { driveEngine } from './drive-engine.js';

const MiB = 1024 * 1024;
const reading = (perPid: Record<number, PidFields>): CollectorReading => ({ perPid: new Map(Object.entries(perPid).map(([p, r]) => [Number(p), r])), single: {} });

test('FaultGate: new pids and pids whose fault count moved are due; a gone pid is forgotten', () => {
  const gate = new FaultGate();
  assert.deepEqual(gate.due([1, 2], reading({ 1: { faults: 5 }, 2: { faults: 7 } })), [1, 2], 'first seen');
  assert.deepEqual(gate.due([1, 2], reading({ 1: { faults: 5 }, 2: { faults: 9 } })), [2], 'only 2 faulted');
  assert.deepEqual(gate.due([1, 2], reading({ 1: { faults: 5 }, 2: { faults: 9 } })), [], 'nothing moved');
  assert.deepEqual(gate.due([1, 2, 3], reading({ 1: { faults: 5 }, 3: { faults: 1 } })), [3], '2 exited between listing and read');
  assert.deepEqual(gate.due([1, 2], reading({ 1: { faults: 5 }, 2: { faults: 9 } })), [2], 'a pid back after a gap (reused) is new');
  assert.deepEqual(gate.due([1], reading({ 1: { state: 'S' } })), [1], 'no count to compare');
  assert.deepEqual(gate.due([1, 2], undefined), [1, 2], 'no reading at all (its collect failed)');
  gate.reset();
  assert.deepEqual(gate.due([1], reading({ 1: { faults: 5 } })), [1], 'after a reset');
});

/** A proc collector replaying fault counts per sample; it counts VmHWM reads and answers hwm = 1000·pid + read number. */
function faultingProc(faults: Array<Record<number, number>>): Collector & { hwmReads: number[][]; statReads: number } {
  let hwmCall = 0;
  const c = {
    name: 'proc' as const,
    hwmReads: [] as number[][],
    statReads: 0,
    available: () => ({ rss: null, hwm: null, faults: null, cputime: null, state: null, cmd: null }),
    collect(pids: readonly number[], want: ReadonlySet<string>): Promise<CollectorReading> {
      if (want.has('hwm')) {
        assert.deepEqual([...want], ['hwm'], 'VmHWM is read in a pass of its own');
        c.hwmReads.push([...pids]);
        hwmCall++;
        return Promise.resolve(reading(Object.fromEntries(pids.map((p) => [p, { hwm: 1000 * p + hwmCall }]))));
      }
      assert.ok(want.has('faults'), 'the per-sample pass reads the fault counts');
      c.statReads++;
      const step = faults.shift() ?? {};
      return Promise.resolve(reading(Object.fromEntries(Object.entries(step).map(([p, f]) => [p, { faults: f, rss: 1 }]))));
    },
  };
  return c;
}

test('engine: VmHWM is read for new pids, for pids that faulted, and for every live pid at each report', async () => {
  const proc = faultingProc([{ 10: 5, 11: 7 }, { 10: 5, 11: 9 }, { 10: 5, 11: 9 }, { 10: 5, 12: 1 }]);
  let members = [10, 11];
  const prepared = await prepareMeasurements(
    { requested: ['proc_hwm', 'proc_rss'], sampleInterval: 1, reportInterval: 3, cgroupMode: 'reader', mode: 'new-session' },
    { collectors: { proc }, missing: {}, tree: () => ({ members: () => Promise.resolve(members) }), monotonic: () => 0, now: () => new Date(0) },
  );
  const engine = prepared.start(10);
  const readsAfter: number[] = [];
  for (let i = 0; i < 3; i++) {
    await engine.sample();
    readsAfter.push(proc.hwmReads.flat().length);
  }
  const r1 = (await engine.report())!.measurements;
  members = [10, 12];
  await engine.sample();
  const r2 = (await engine.report())!.measurements;
  assert.equal(proc.statReads, 4, 'one stat pass per sample');
  // per sample: both new, then only 11 faulted, then none; per report: every live pid
  assert.deepEqual(proc.hwmReads, [[10, 11], [11], [10, 11], [12], [10, 12]]);
  assert.deepEqual(readsAfter, [2, 3, 3], '50 sleeping pids would cost no status read per sample');
  // the max over the window's reads: the report's read is the latest
  assert.deepEqual(r1['proc_hwm'], { 10: 10003, 11: 11003 });
  assert.deepEqual(r2['proc_hwm'], { 10: 10005, 12: 12005 });
});

const onLinux = existsSync('/proc/self/stat');

test('a 300 MiB spike in a process that exits before any report is still in proc_hwm (read when it faulted)', { skip: !onLinux && 'needs /proc' }, async () => {
  // one window for the whole run: the only report comes after the exit, when status is gone
  const run = await driveEngine('spike.py', ['300', '0.3', '2.0', '0.6'], { requested: ['proc_hwm'], sampleMs: 200, reportEvery: 1000 });
  assert.equal(run.exitCode, 0);
  assert.equal(run.records.length, 1);
  assert.ok(run.summary['proc_hwm']!.peak! > 300 * MiB, `proc_hwm ${run.summary['proc_hwm']!.peak! / MiB} MiB`);
});

test('with shared pages (PSS): a sample where a pid came or went re-reads every live pid, since a fork or an exit moves the others\' share', () => {
  const reading = (faults: Record<number, number>) => ({ perPid: new Map(Object.entries(faults).map(([p, f]) => [Number(p), { faults: f }])), single: {} });
  const gate = new FaultGate(true);
  assert.deepEqual(gate.due([1], reading({ 1: 10 })), [1]);
  assert.deepEqual(gate.due([1], reading({ 1: 10 })), [], 'nothing moved');
  // a fork: the child is new, and the parent's pages are now shared with it
  assert.deepEqual(gate.due([1, 2], reading({ 1: 10, 2: 0 })), [1, 2]);
  assert.deepEqual(gate.due([1, 2], reading({ 1: 10, 2: 0 })), []);
  // the child exits: its share goes back to the parent
  assert.deepEqual(gate.due([1], reading({ 1: 10 })), [1]);
  // without sharing (VmHWM alone) only the new pid is read
  const hwm = new FaultGate();
  hwm.due([1], reading({ 1: 10 }));
  assert.deepEqual(hwm.due([1, 2], reading({ 1: 10, 2: 0 })), [2]);
});
