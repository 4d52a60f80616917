import type { CgroupLayout } from '../collectors/cgroup-discovery.js';
import { cgroupCollector, readMemoryLimit } from '../collectors/cgroup.js';
import { HeldFiles } from '../collectors/held-files.js';
import { createIsolateCgroup, isolateArgvPrefix, removeCgroupDirs, type IsolateCgroup } from '../collectors/cgroup-isolate.js';
import { ELAPSED_FIELD, type Collector, type CollectorReading } from '../collectors/types.js';
import { DuctError } from '../errors.js';
import { Aggregator, streamOf } from './aggregator.js';
import { FAULTS_FIELD, FaultGate } from './fault-gate.js';
import { keyAvailability, machineEnvironment, type MeasurementEnvironment } from './environment.js';
import { isoWithOffset } from './iso-time.js';
import type { Measurement } from './measurement.js';
import { resolveSelection } from './selection.js';
import type { CgroupInfo, MeasurementEngine, MeasurementInfo, MeasurementRequest, PreparedMeasurements, UsageRecord } from './types.js';

function cgroupInfoOf(layout: CgroupLayout | null, mode: MeasurementRequest['cgroupMode'], isolate: IsolateCgroup | null): CgroupInfo | null {
  if (!layout) return null;
  const used = isolate?.layout ?? layout;
  const info: CgroupInfo = {
    version: layout.version,
    memory_path: used.memory?.path ?? null,
    cpu_path: used.cpu?.path ?? null,
    // an isolate group's own limit (--memory-limit) where set, else the enclosing group's
    memory_limit_bytes: (isolate && readMemoryLimit(isolate.layout)) ?? readMemoryLimit(layout),
    mode,
    memory_version: used.memory?.version ?? null,
    job_path: layout.jobMemory?.path ?? null,
  };
  if (isolate) info['parent_path'] = layout.memory?.path ?? null;
  if (layout.memoryReason) info.unavailable_reason = layout.memoryReason;
  return info;
}

async function removeIsolate(isolate: IsolateCgroup | null, warnings: string[]): Promise<void> {
  if (!isolate) return;
  // a group is busy for a moment after its last task exits
  for (let attempt = 0; attempt < 20; attempt++) {
    const problems = removeCgroupDirs(isolate.dirs);
    if (problems.length === 0) return;
    if (attempt === 19) warnings.push(...problems);
    else await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Resolve and check the selection before the command starts (unknown or
 * unavailable keys, an isolate cgroup that cannot be made all fail here),
 * then measure the spawned command through `start`.
 */
export async function prepareMeasurements(req: MeasurementRequest, override?: Partial<MeasurementEnvironment>): Promise<PreparedMeasurements> {
  const env: MeasurementEnvironment = override?.collectors
    ? { missing: {}, cgroupLayout: null, monotonic: () => performance.now() / 1000, now: () => new Date(), tree: () => ({ members: () => Promise.resolve([]) }), collectors: {}, ...override }
    : { ...machineEnvironment(), ...override };
  let availability = keyAvailability(env);
  let isolate: IsolateCgroup | null = null;
  if (req.cgroupMode === 'isolate') {
    if (!env.cgroupLayout) throw new DuctError('E_CGROUP', `--cgroup isolate needs Linux cgroups: ${env.missing.cgroup ?? 'none found'}; use --cgroup reader`);
    try {
      isolate = createIsolateCgroup(env.cgroupLayout, `duct-${process.pid}-${Date.now().toString(36)}`, req.memoryLimitBytes ?? null);
    } catch (e) {
      throw new DuctError('E_CGROUP', `--cgroup isolate cannot make a cgroup for the command: ${(e as Error).message}; use --cgroup reader`);
    }
    env.collectors = { ...env.collectors, cgroup: cgroupCollector(isolate.layout) };
    availability = keyAvailability(env);
  }
  const warnings: string[] = [];
  try {
    const selected = resolveSelection(req.requested, availability);
    const info: MeasurementInfo = {
      selected: selected.map((m) => m.key),
      requested: [...req.requested],
      units: Object.fromEntries(selected.map((m) => [m.key, m.unit])),
      unavailable: Object.fromEntries([...availability].filter(([, r]) => r !== null) as Array<[string, string]>),
      sample_interval: req.sampleInterval,
      report_interval: req.reportInterval,
    };
    // group-wide counters before the command starts: the first window's delta seeds
    const baseline: Record<string, number> = {};
    const counters = selected.filter((m) => m.reduce === 'delta');
    if (counters.length && env.collectors.cgroup) {
      const r = await env.collectors.cgroup.collect([], new Set(counters.map((m) => m.field)));
      for (const [field, v] of Object.entries(r.single)) baseline[`cgroup:${field}`] = v;
    }
    // reader mode: the group's high-water mark may come from before the command;
    // only a peak above the one it had at start belongs to this run
    const peakFloor = !isolate && env.collectors.cgroup && selected.some((m) => m.key === 'cgroup_mem_peak')
      ? (await env.collectors.cgroup.collect([], new Set(['mem_peak']))).single['mem_peak'] ?? null
      : null;
    const cgroupInfo = cgroupInfoOf(env.cgroupLayout, req.cgroupMode, isolate);
    if (cgroupInfo && peakFloor !== null) cgroupInfo['mem_peak_at_start_bytes'] = peakFloor;
    return {
      argvPrefix: isolate ? isolateArgvPrefix(isolate.procsFiles) : [],
      isolateDirs: isolate ? [...isolate.dirs] : [],
      describe: () => info,
      start: (rootPid) => startEngine(env, selected, info, cgroupInfo, baseline, rootPid, req.mode, isolate, warnings, peakFloor),
      abort: () => removeIsolate(isolate, warnings),
    };
  } catch (e) {
    await removeIsolate(isolate, warnings);
    throw e;
  }
}

function startEngine(
  env: MeasurementEnvironment,
  selected: readonly Measurement[],
  info: MeasurementInfo,
  cgroupInfo: CgroupInfo | null,
  baseline: Record<string, number>,
  rootPid: number,
  mode: MeasurementRequest['mode'],
  isolate: IsolateCgroup | null,
  warnings: string[],
  peakFloor: number | null = null,
): MeasurementEngine {
  const tree = env.tree(rootPid, mode);
  const agg = new Aggregator(selected, { startT: env.monotonic(), rootPid, baseline, newbornSlackSeconds: 2 });
  // one collect call per collector and cadence, reading every field its keys need
  const streams = new Map<string, { collector: Collector; fields: Set<string>; cadence: NonNullable<Measurement['cadence']> }>();
  for (const m of selected) {
    const id = streamOf(m);
    let s = streams.get(id);
    if (!s) streams.set(id, (s = { collector: env.collectors[m.collector]!, fields: new Set(), cadence: m.cadence ?? 'sample' }));
    // a count of pids needs no field; every per-pid reading carries its age anyway
    if (m.field !== ELAPSED_FIELD) s.fields.add(m.field);
  }
  // a `faulted` stream is gated by the fault counts its collector's per-sample stream reads
  const gates = new Map<string, { gate: FaultGate; sampleStream: string }>();
  for (const [id, s] of streams) {
    if (s.cadence !== 'faulted') continue;
    const sampleStream = s.collector.name;
    let base = streams.get(sampleStream);
    if (!base) streams.set(sampleStream, (base = { collector: s.collector, fields: new Set(), cadence: 'sample' }));
    base.fields.add(FAULTS_FIELD);
    gates.set(id, { gate: new FaultGate(), sampleStream });
  }
  // /proc files read every sample stay open between samples (a pread instead of open, read, close)
  const files = new HeldFiles();
  const needsPids = selected.some((m) => m.collector !== 'cgroup');
  const warnOnce = new Set<string>();
  const warn = (msg: string): void => {
    if (!warnOnce.has(msg)) {
      warnOnce.add(msg);
      warnings.push(msg);
    }
  };
  /** One collect call per stream of `cadence`; `pidsOf` picks each stream's pids (all of `pids` by default). */
  const collect = async (cadence: NonNullable<Measurement['cadence']>, pids: number[], pidsOf?: (id: string) => number[]): Promise<Map<string, CollectorReading>> => {
    const readings = new Map<string, CollectorReading>();
    for (const [id, s] of streams) {
      if (s.cadence !== cadence) continue;
      const these = pidsOf ? pidsOf(id) : pids;
      // no process to read (the command has exited): a per-process collector has nothing to say, and a
      // reading of an empty tree would weigh zeros into the means; group-wide counters still move
      if (these.length === 0 && s.collector.name !== 'cgroup') continue;
      const t0 = env.monotonic();
      try {
        const reading = await s.collector.collect(these, s.fields, files);
        const peak = reading.single['mem_peak'];
        if (peakFloor !== null && peak !== undefined && peak <= peakFloor) {
          delete reading.single['mem_peak'];
          warn(
            `cgroup_mem_peak: the high-water mark of the cgroup duct runs in (${peakFloor} bytes) predates this run and was not exceeded, so it is not reported; use --cgroup isolate for the command's own peak`,
          );
        }
        agg.push(id, (t0 + env.monotonic()) / 2, reading);
        readings.set(id, reading);
      } catch (e) {
        gates.get(id)?.gate.reset(); // nothing was read: every pid is due next sample
        warn(`the ${s.collector.name} collector failed: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    return readings;
  };
  let samples = 0;
  let everSampled = false;
  let labelled = new Set<number>();
  const hasReportStreams = selected.some((m) => m.cadence === 'report');
  return {
    tree,
    async sample() {
      let pids: number[] = [];
      if (needsPids) {
        try {
          pids = await tree.members();
        } catch (e) {
          warn(`listing the run's processes failed: ${(e as Error).message.split('\n')[0]}`);
        }
      }
      const readings = await collect('sample', pids);
      if (gates.size) await collect('faulted', pids, (id) => gates.get(id)!.gate.due(pids, readings.get(gates.get(id)!.sampleStream)));
      // labels: only the processes not read yet (a pid that vanished is forgotten, so a reused one is read again)
      const fresh = pids.filter((p) => !labelled.has(p));
      await collect('new-pids', fresh);
      labelled = new Set(pids);
      samples++;
      everSampled = true;
    },
    async report(): Promise<UsageRecord | null> {
      if (samples === 0) {
        // no sample since the last report (the command exited just after it): a kernel
        // high-water mark read now may still have risen; it goes into the run summary,
        // but a usage record needs at least one sample (schema/usage.schema.json)
        if (hasReportStreams && everSampled) {
          await collect('report', []);
          agg.report();
        }
        return null;
      }
      await collect('report', []);
      await collect('new-pids', [...labelled]);
      // every live pid once per window, so each has its value in the record
      await collect('faulted', [...labelled]);
      const record: UsageRecord = { timestamp: isoWithOffset(env.now()), num_samples: samples, measurements: agg.report() };
      samples = 0;
      return record;
    },
    summary: () => agg.summaryJSON((key) => info.units[key] ?? 'count'),
    describe: () => info,
    cgroup: () => cgroupInfo,
    warnings: () => [...warnings],
    close: () => {
      files.close();
      return removeIsolate(isolate, warnings);
    },
  };
}

export { renderMeasurementHelp } from './help.js';
export { keyAvailability, machineEnvironment, type MeasurementEnvironment } from './environment.js';
