import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareMeasurements, renderMeasurementHelp } from '../../src/aggregation/engine.js';
import type { Collector, CollectorReading, PidFields } from '../../src/collectors/types.js';
import { isDuctError } from '../../src/errors.js';
import { isoWithOffset } from '../../src/aggregation/iso-time.js';

/** A collector that replays scripted readings, one per collect call. */
function scripted(name: Collector['name'], fields: string[], script: Array<Record<number, PidFields> | Record<string, number>>, perPid = true): Collector & { calls: Array<{ pids: readonly number[]; fields: string[] }> } {
  const calls: Array<{ pids: readonly number[]; fields: string[] }> = [];
  return {
    name,
    calls,
    available: () => Object.fromEntries(fields.map((f) => [f, null])),
    collect(pids, want): Promise<CollectorReading> {
      calls.push({ pids, fields: [...want].sort() });
      if (want.size === 1 && want.has('cmd')) {
        // labels are read apart (new pids, and the live ones at each report): a fixed answer
        return Promise.resolve({ perPid: new Map(pids.map((p) => [p, { cmd: p === 10 ? 'a' : 'b' }])), single: {} });
      }
      if (want.has('hwm') || want.has('pss')) {
        // VmHWM and PSS are re-read apart, for pids that faulted (and the live ones at each report): this fake has none
        return Promise.resolve({ perPid: new Map(), single: {} });
      }
      const step = script.shift() ?? {};
      if (!perPid) return Promise.resolve({ perPid: new Map(), single: step as Record<string, number> });
      return Promise.resolve({ perPid: new Map(Object.entries(step as Record<number, PidFields>).map(([p, r]) => [Number(p), r])), single: {} });
    },
  };
}

function setup() {
  let now = 0;
  const proc = scripted('proc', ['rss', 'hwm', 'cputime', 'state', 'cmd', 'pss', 'uss', 'io_read', 'io_write'], [
    { 10: { cputime: 0.5, elapsed: 1, rss: 100, state: 'R', cmd: 'a' }, 11: { cputime: 0.3, elapsed: 0.6, rss: 50, state: 'S', cmd: 'b' } },
    { 10: { cputime: 1.5, elapsed: 2, rss: 300, state: 'R', cmd: 'a' }, 11: { cputime: 0.7, elapsed: 1.6, rss: 50, state: 'R', cmd: 'b' } },
    { 10: { cputime: 2.5, elapsed: 3, rss: 200, state: 'R', cmd: 'a' } },
  ]);
  // cgroup: the baseline read at prepare, then per-sample current and cpu, and mem_peak once per report
  const cgroup = scripted('cgroup', ['mem_current', 'mem_peak', 'cpu_usage', 'oom_kills', 'job_mem_peak'], [], false);
  const cgScript: Array<Record<string, number>> = [
    { cpu_usage: 10, oom_kills: 0 },
    { mem_peak: 4000 }, // reader mode: the group's peak before the command, read at prepare
    { mem_current: 1000, cpu_usage: 12, oom_kills: 0 },
    { mem_current: 3000, cpu_usage: 13, oom_kills: 1 },
    { mem_peak: 5000 },
    { mem_current: 2000, cpu_usage: 15, oom_kills: 1 },
    { mem_peak: 8000 },
  ];
  cgroup.collect = (pids, want) => {
    cgroup.calls.push({ pids, fields: [...want].sort() });
    return Promise.resolve({ perPid: new Map(), single: cgScript.shift() ?? {} });
  };
  const env = {
    collectors: { proc, cgroup },
    missing: { ps: 'no ps in this test', pidusage: 'no pidusage in this test' },
    tree: () => ({ members: () => Promise.resolve([10, 11]) }),
    monotonic: () => now,
    now: () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678) + now * 1000),
  };
  return { env, proc, cgroup, cgScript, at: (t: number) => (now = t) };
}

const close = (a: unknown, b: number): void => assert.ok(typeof a === 'number' && Math.abs(a - b) < 1e-9, `${String(a)} ≉ ${b}`);

test('engine: derive, collapse and reduce over two windows with injected collectors and clock', async () => {
  const { env, proc, cgroup, cgScript, at } = setup();
  const prepared = await prepareMeasurements({ requested: ['default'], sampleInterval: 1, reportInterval: 2, cgroupMode: 'reader', mode: 'new-session' }, env);
  assert.deepEqual(prepared.argvPrefix, []);
  assert.deepEqual(prepared.describe().selected, [
    'proc_rss', 'proc_rss_total', 'proc_pss_total', 'proc_hwm', 'proc_pdcpu', 'proc_pdcpu_total', 'proc_cpu_seconds', 'proc_cmd', 'proc_stat', 'proc_nproc',
    'cgroup_mem_peak', 'cgroup_mem_current', 'cgroup_cpu_seconds', 'cgroup_oom_kills', 'cgroup_job_mem_peak',
  ]);
  at(0);
  const engine = prepared.start(10);
  assert.equal(await engine.report(), null, 'no samples, no record');
  at(1);
  await engine.sample();
  at(2);
  await engine.sample();
  const r1 = await engine.report();
  assert.ok(r1);
  assert.equal(r1.num_samples, 2);
  assert.equal(r1.timestamp, isoWithOffset(new Date(Date.UTC(2026, 0, 2, 3, 4, 7, 678))));
  assert.match(r1.timestamp, /^2026-01-0\dT\d\d:\d\d:07\.678[+-]\d\d:\d\d$/);
  const m1 = r1.measurements;
  close(m1['proc_cpu_seconds'], 0.7 + 1.5);
  assert.deepEqual(Object.keys(m1['proc_pdcpu'] as object), ['10', '11']);
  close((m1['proc_pdcpu'] as Record<string, number>)['10'], 100); // 50% since birth, then 100%
  close((m1['proc_pdcpu'] as Record<string, number>)['11'], 50); // 0.3/0.6 since birth, then 40%
  close(m1['proc_pdcpu_total'], 140);
  assert.equal(m1['proc_rss_total'], 350);
  assert.deepEqual(m1['proc_rss'], { 10: 300, 11: 50 });
  assert.deepEqual(m1['proc_stat'], { 10: { R: 2 }, 11: { S: 1, R: 1 } });
  assert.deepEqual(m1['proc_cmd'], { 10: 'a', 11: 'b' });
  assert.equal(m1['proc_nproc'], 2);
  assert.equal(m1['cgroup_mem_current'], 3000);
  assert.equal(m1['cgroup_mem_peak'], 5000);
  close(m1['cgroup_cpu_seconds'], 3); // 13 − baseline 10
  assert.equal(m1['cgroup_oom_kills'], 1);
  assert.equal(m1['proc_hwm'], undefined, 'present-iff-measured: the fake has no hwm readings');
  assert.equal(m1['cgroup_job_mem_peak'], undefined);

  at(3);
  await engine.sample();
  const m2 = (await engine.report())!.measurements;
  close(m2['proc_cpu_seconds'], 1.0); // pid 11 exited: its last reading was counted already
  assert.deepEqual(m2['proc_pdcpu'], { 10: 100 });
  assert.equal(m2['proc_nproc'], 1);
  close(m2['cgroup_cpu_seconds'], 2);
  assert.equal(m2['cgroup_oom_kills'], 0);
  assert.equal(m2['cgroup_mem_peak'], 8000);

  const s = engine.summary();
  close(s['proc_cpu_seconds']?.total, 3.2);
  assert.equal(s['proc_rss_total']?.peak, 350);
  close(s['proc_rss_total']?.mean, (150 + 350 + 200) / 3);
  assert.equal(s['cgroup_mem_peak']?.peak, 8000);
  assert.equal(s['cgroup_mem_peak']?.mean, undefined, 'a high-water mark has no mean');
  close(s['cgroup_cpu_seconds']?.total, 5);
  assert.deepEqual(s['proc_stat']?.tally, { R: 4, S: 1 });
  assert.equal(s['proc_cmd']?.last, 'a', 'the root pid\'s label');
  assert.equal(s['proc_pdcpu']?.peak, 100);
  assert.equal(s['proc_hwm'], undefined);
  assert.equal(s['proc_rss_total']?.unit, 'bytes');

  // one collect per collector per sample, only the fields the keys need, pids from the tree source
  assert.deepEqual(proc.calls[0], { pids: [10, 11], fields: ['cputime', 'faults', 'rss', 'session', 'state'] });
  // VmHWM and PSS: this fake reads no fault counts, so every pid of the sample's reading is re-read each sample
  // (11 is gone from the third), and every listed pid at each report
  assert.deepEqual(proc.calls.filter((c) => c.fields.join() === 'hwm,pss').map((c) => c.pids), [[10, 11], [10, 11], [10, 11], [10], [10, 11]]);
  // command lines: read for new pids on their first sample, and for the live ones at each report
  assert.deepEqual(proc.calls.filter((c) => c.fields.join() === 'cmd').map((c) => c.pids), [[10, 11], [10, 11], [10, 11]]);
  assert.deepEqual(cgroup.calls.map((c) => c.fields.join(',')), [
    'cpu_usage,oom_kills',
    'mem_peak',
    'cpu_usage,mem_current,oom_kills',
    'cpu_usage,mem_current,oom_kills',
    'job_mem_peak,mem_peak',
    'cpu_usage,mem_current,oom_kills',
    'job_mem_peak,mem_peak',
  ]);
  assert.deepEqual(engine.describe().units['proc_pdcpu'], 'percent');

  // the command exits right after a report: no sample since, but the kernel peak may have risen;
  // no usage record without a sample, yet the run summary takes the later peak
  cgScript.push({ mem_peak: 9000 });
  at(4);
  assert.equal(await engine.report(), null);
  assert.equal(engine.summary()['cgroup_mem_peak']?.peak, 9000);
  await engine.close();
});

test('engine: a failing collector becomes a warning, the others still record', async () => {
  const { env, at } = setup();
  env.collectors.cgroup.collect = () => Promise.reject(new Error('EIO reading memory.current'));
  const p = await prepareMeasurements({ requested: ['proc_rss_total', 'cgroup_mem_current'], sampleInterval: 1, reportInterval: 1, cgroupMode: 'reader', mode: 'new-session' }, env).catch((e: unknown) => e);
  // the baseline read is only for delta keys: none here, so prepare succeeds
  assert.ok(!(p instanceof Error), String(p));
  const engine = (p as Awaited<ReturnType<typeof prepareMeasurements>>).start(10);
  at(1);
  await engine.sample();
  const r = await engine.report();
  assert.deepEqual(Object.keys(r!.measurements), ['proc_rss_total']);
  assert.match(engine.warnings!().join(' '), /cgroup collector failed: EIO/);
});

test('prepare: unknown and unavailable keys fail before anything starts', async () => {
  const { env } = setup();
  const req = { sampleInterval: 1, reportInterval: 1, cgroupMode: 'reader' as const, mode: 'new-session' as const };
  await assert.rejects(prepareMeasurements({ ...req, requested: ['proc_rss', 'nope'] }, env), (e: unknown) => isDuctError(e) && e.code === 'E_MEASUREMENT_UNKNOWN' && /valid keys: ps_rss/.test(e.message));
  await assert.rejects(prepareMeasurements({ ...req, requested: ['ps_rss'] }, env), (e: unknown) => isDuctError(e) && e.code === 'E_MEASUREMENT_UNAVAILABLE' && /no ps in this test/.test(e.message));
  const p = await prepareMeasurements({ ...req, requested: ['all'] }, env);
  assert.equal(p.describe().unavailable['ps_rss'], 'no ps in this test');
  assert.ok(!p.describe().selected.some((k) => k.startsWith('ps_')));
});

test("prepare: a collector's costly verify runs only when one of its keys is selected, and its reason fails the run", async () => {
  const { env, proc } = setup();
  const req = { sampleInterval: 1, reportInterval: 1, cgroupMode: 'reader' as const, mode: 'new-session' as const };
  let verifies = 0;
  const ps = { ...scripted('ps', ['rss', 'cmd'], []), verify: () => (verifies++, 'ps printed no row for duct itself') };
  const withPs = { ...env, collectors: { proc, ps }, missing: {} };
  await prepareMeasurements({ ...req, requested: ['proc_rss'] }, withPs);
  assert.equal(verifies, 0, 'no ps key selected: ps is not run');
  await assert.rejects(prepareMeasurements({ ...req, requested: ['ps_rss'] }, withPs), (e: unknown) => isDuctError(e) && e.code === 'E_MEASUREMENT_UNAVAILABLE' && /'ps_rss' is not available here: ps printed no row/.test(e.message));
  assert.equal(verifies, 1);
});

test('--measurements help lists every key with unit, scope, cost and availability, and the presets', () => {
  const text = renderMeasurementHelp();
  for (const key of ['ps_rss', 'proc_pss_total', 'cgroup_mem_peak', 'cgroup_job_mem_peak', 'pidusage_pdcpu_total']) assert.match(text, new RegExp(`^${key} `, 'm'));
  assert.match(text, /^proc_pss_total\s+bytes\s+single\s+gauge\/max\s+grows w\/ memory\s+yes/m);
  assert.match(text, /^cgroup_job_mem_peak .* no: no SLURM job cgroup/m);
  assert.match(text, /^ {2}default +proc_rss, /m);
});

test('--cgroup isolate where no cgroup can be made is a clear E_CGROUP refusal', async () => {
  const { env } = setup();
  const req = { requested: ['proc_rss'], sampleInterval: 1, reportInterval: 1, cgroupMode: 'isolate' as const, mode: 'new-session' as const };
  await assert.rejects(prepareMeasurements(req, { ...env, cgroupLayout: null }), (e: unknown) => isDuctError(e) && e.code === 'E_CGROUP' && /--cgroup isolate needs Linux cgroups/.test(e.message));
  const gone = { version: 'v1' as const, path: '/nope', dir: '/nonexistent/cgroup/nope', mountDir: '/nonexistent/cgroup' };
  await assert.rejects(
    prepareMeasurements(req, { ...env, cgroupLayout: { version: 'v1', memory: gone, cpu: null, jobMemory: null, memoryReason: null, cpuReason: null } }),
    (e: unknown) => isDuctError(e) && e.code === 'E_CGROUP' && /cannot create the cgroup \/nonexistent\/cgroup\/nope\/duct-.* \(ENOENT\).*use --cgroup reader/.test(e.message),
  );
});

test('engine, reader mode: a cgroup peak not above the one it had before the command is dropped, with a warning', async () => {
  const { env, cgroup, at } = setup();
  // no counter selected, so no baseline read: the first call is the peak floor
  const script: Array<Record<string, number>> = [{ mem_peak: 7000 }, { mem_current: 100 }, { mem_peak: 7000 }, { mem_current: 100 }, { mem_peak: 7500 }];
  cgroup.collect = (pids, want) => {
    cgroup.calls.push({ pids, fields: [...want].sort() });
    return Promise.resolve({ perPid: new Map(), single: script.shift() ?? {} });
  };
  const prepared = await prepareMeasurements({ requested: ['cgroup_mem_peak', 'cgroup_mem_current'], sampleInterval: 1, reportInterval: 1, cgroupMode: 'reader', mode: 'new-session' }, env);
  const engine = prepared.start(10);
  at(1);
  await engine.sample();
  const first = await engine.report();
  assert.equal(first?.measurements['cgroup_mem_peak'], undefined, 'the peak from before the run is not this run\'s');
  assert.match(engine.warnings?.().join('\n') ?? '', /predates this run/);
  at(2);
  await engine.sample();
  const second = await engine.report();
  assert.equal(second?.measurements['cgroup_mem_peak'], 7500, 'once exceeded, the peak is the run\'s');
  assert.equal(engine.cgroup()?.['mem_peak_at_start_bytes'] ?? null, null, 'no layout in this test, so no cgroup block');
});
