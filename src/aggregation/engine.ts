import type { CgroupLayout } from '../collectors/cgroup-discovery.js';
import { cgroupCollector, readMemoryLimit } from '../collectors/cgroup.js';
import { HeldFiles } from '../collectors/held-files.js';
import { createIsolateCgroup, isolateArgvPrefix, removeCgroupDirs, type IsolateCgroup } from '../collectors/cgroup-isolate.js';
import { ELAPSED_FIELD, type Collector, type CollectorReading, type PidFields } from '../collectors/types.js';
import { DuctError } from '../errors.js';
import { Aggregator, streamOf } from './aggregator.js';
import { FAULTS_FIELD, FaultGate } from './fault-gate.js';
import { CgroupMembership, type MembershipVerdict } from './cgroup-membership.js';
import { keyAvailability, machineEnvironment, type MeasurementEnvironment, type ProcessLinks } from './environment.js';
import { isoWithOffset } from './iso-time.js';
import { isPerPidSource, type Measurement } from './measurement.js';
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
    const { selected, dropped } = withoutPollutedRusage(resolveSelection(req.requested, availability), req.requested);
    // a collector's costly check (ps runs once) only when one of its keys is selected
    for (const m of selected) {
      const reason = env.collectors[m.collector]?.verify?.() ?? null;
      if (reason !== null) throw new DuctError('E_MEASUREMENT_UNAVAILABLE', `measurement '${m.key}' is not available here: ${reason}`);
    }
    const info: MeasurementInfo = {
      selected: selected.map((m) => m.key),
      requested: [...req.requested],
      units: Object.fromEntries(selected.map((m) => [m.key, m.unit])),
      unavailable: { ...Object.fromEntries([...availability].filter(([, r]) => r !== null) as Array<[string, string]>), ...dropped },
      sample_interval: req.sampleInterval,
      report_interval: req.reportInterval,
    };
    // group-wide counters before the command starts: the first window's delta seeds
    const baseline: Record<string, number> = {};
    for (const name of GROUP_COUNTER_COLLECTORS) {
      const counters = selected.filter((m) => m.reduce === 'delta' && m.collector === name);
      const collector = env.collectors[name];
      if (!counters.length || !collector) continue;
      const r = await collector.collect([], new Set(counters.map((m) => m.field)));
      for (const [field, v] of Object.entries(r.single)) baseline[`${name}:${field}`] = v;
    }
    // reader mode: the group's high-water mark may come from before the command;
    // only a peak above the one it had at start belongs to this run
    const peakFloor = !isolate && env.collectors.cgroup && selected.some((m) => m.key === 'cgroup_mem_peak')
      ? (await env.collectors.cgroup.collect([], new Set(['mem_peak']))).single['mem_peak'] ?? null
      : null;
    const cgroupInfo = cgroupInfoOf(env.cgroupLayout, req.cgroupMode, isolate);
    if (cgroupInfo && peakFloor !== null) cgroupInfo['mem_peak_at_start_bytes'] = peakFloor;
    // reader mode: the group's figures are the run's only while nothing else is in it
    let runSession = -1;
    const membership = !isolate && cgroupInfo && env.cgroupLayout && env.processLinks && selected.some((m) => m.collector === 'cgroup')
      ? readerMembership(env.cgroupLayout, env.processLinks, () => runSession)
      : null;
    const checkMembership = (): void => {
      if (membership && cgroupInfo) Object.assign(cgroupInfo, membership.check());
    };
    checkMembership();
    return {
      argvPrefix: isolate ? isolateArgvPrefix(isolate.procsFiles) : [],
      isolateDirs: isolate ? [...isolate.dirs] : [],
      describe: () => info,
      start: (rootPid) => {
        runSession = req.mode === 'new-session' ? rootPid : (env.processLinks?.ownSession ?? -1);
        return startEngine(env, selected, info, cgroupInfo, baseline, rootPid, req.mode, isolate, warnings, peakFloor, checkMembership);
      },
      abort: () => removeIsolate(isolate, warnings),
    };
  } catch (e) {
    await removeIsolate(isolate, warnings);
    throw e;
  }
}

/** The membership check of the groups duct reads in reader mode (memory, and cpu accounting where it differs). */
function readerMembership(layout: CgroupLayout, links: ProcessLinks, runSession: () => number): { check(): MembershipVerdict } {
  const dirs = [...new Set([layout.memory, layout.cpu].filter((l) => l && !l.isRoot).map((l) => l!.dir))];
  const members = new CgroupMembership({
    ductPid: links.ductPid,
    ancestors: links.ancestors,
    runSession,
    listMembers: () => dirs.map((d) => links.readProcs(d)),
    readLink: links.readLink,
  });
  return members;
}

/** The proc collector's raw field with each process's session id. */
const SESSION_FIELD = 'session';

/** Collectors with group-wide counters whose value before the spawn seeds the first delta. */
const GROUP_COUNTER_COLLECTORS = ['cgroup', 'rusage'] as const;

const RUSAGE_POLLUTED = 'the ps collector runs `ps` as a child of duct every sample, and duct\'s RUSAGE_CHILDREN would count those processes too';

/**
 * duct's reaped-children CPU is the command's alone only while duct reaps no other child
 * during the run: with ps keys, a preset drops rusage_cpu_seconds (saying why) and a key named explicitly fails.
 */
function withoutPollutedRusage(selected: readonly Measurement[], requested: readonly string[]): { selected: Measurement[]; dropped: Record<string, string> } {
  const rusage = selected.filter((m) => m.collector === 'rusage');
  if (!selected.some((m) => m.collector === 'ps') || !rusage.length) return { selected: [...selected], dropped: {} };
  const explicit = rusage.find((m) => requested.includes(m.key));
  if (explicit) throw new DuctError('E_MEASUREMENT_UNAVAILABLE', `${explicit.key} cannot be measured together with ps keys: ${RUSAGE_POLLUTED}`);
  return { selected: selected.filter((m) => m.collector !== 'rusage'), dropped: Object.fromEntries(rusage.map((m) => [m.key, RUSAGE_POLLUTED])) };
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
  checkMembership: () => void = () => {},
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
  // the session is re-checked from the stat read every sample: a process that called setsid() left the run
  const runSession = mode === 'new-session' ? rootPid : (env.processLinks?.ownSession ?? null);
  const sessionStream = runSession !== null ? streams.get('proc') : undefined;
  if (sessionStream) sessionStream.fields.add(SESSION_FIELD);
  const left = new Set<number>();
  const dropLeavers = (reading: CollectorReading): void => {
    for (const [pid, rec] of reading.perPid) {
      if (rec[SESSION_FIELD] === undefined || rec[SESSION_FIELD] === runSession) continue;
      reading.perPid.delete(pid);
      left.add(pid);
      tree.leave?.(pid);
    }
  };
  // a `faulted` stream is gated by the fault counts its collector's per-sample stream reads
  const gates = new Map<string, { gate: FaultGate; sampleStream: string }>();
  for (const [id, s] of streams) {
    if (s.cadence !== 'faulted') continue;
    const sampleStream = s.collector.name;
    let base = streams.get(sampleStream);
    if (!base) streams.set(sampleStream, (base = { collector: s.collector, fields: new Set(), cadence: 'sample' }));
    base.fields.add(FAULTS_FIELD);
    gates.set(id, { gate: new FaultGate(s.fields.has('pss') || s.fields.has('uss')), sampleStream });
  }
  // a streaming collector (nvidia-smi) starts its source with the run and ends it in close()
  const opened = [...new Set([...streams.values()].map((s) => s.collector))].filter((c) => c.open);
  for (const c of opened) c.open!(info.sample_interval);
  const describe = (): MeasurementInfo => {
    const gpu = opened.find((c) => c.name === 'nvidia')?.provenance?.() as MeasurementInfo['gpu'];
    return gpu ? { ...info, gpu } : info;
  };
  // /proc files read every sample stay open between samples (a pread instead of open, read, close)
  const files = new HeldFiles();
  const needsPids = selected.some(isPerPidSource);
  const warnOnce = new Set<string>();
  const warn = (msg: string): void => {
    if (!warnOnce.has(msg)) {
      warnOnce.add(msg);
      warnings.push(msg);
    }
  };
  /** One collect call per stream of `cadence`; `pidsOf` picks each stream's pids (all of `pids` by default). */
  // a faulted stream reads only the pids that faulted; a sum over the tree (proc_pss_total) needs every live
  // pid in each sample, so the others keep their latest reading (it is unchanged: they did not fault)
  const latest = new Map<string, Map<number, PidFields>>();
  const carryForward = (id: string, reading: CollectorReading, live: readonly number[]): void => {
    const prev = latest.get(id) ?? new Map<number, PidFields>();
    const next = new Map<number, PidFields>();
    for (const pid of live) {
      const fresh = reading.perPid.get(pid);
      const rec = fresh ?? prev.get(pid);
      if (!rec) continue;
      if (!fresh) reading.perPid.set(pid, rec);
      next.set(pid, rec);
    }
    latest.set(id, next);
  };
  // duct's reaped-children CPU is final once the command is reaped: later reads could add another child's
  let rusageFinal = false;
  /**
   * `alive`: for a faulted stream's sample pass, the pids whose stat this sample read (the only
   * ones whose latest reading may be carried); without it (the report's full re-read) nothing is carried.
   */
  const collect = async (cadence: NonNullable<Measurement['cadence']>, pids: number[], pidsOf?: (id: string) => number[], alive?: (id: string) => ReadonlySet<number> | ReadonlyMap<number, unknown> | undefined): Promise<Map<string, CollectorReading>> => {
    const readings = new Map<string, CollectorReading>();
    for (const [id, s] of streams) {
      if (s.cadence !== cadence) continue;
      if (s.collector.name === 'rusage' && rusageFinal) continue;
      const these = pidsOf ? pidsOf(id) : pids;
      // no process to read (the command has exited): a per-process collector has nothing to say, and a
      // reading of an empty tree would weigh zeros into the means; group-wide counters still move
      if (these.length === 0 && isPerPidSource({ collector: s.collector.name })) {
        // nobody faulted: the tree's sum is still due this sample, from the latest readings
        const living = alive?.(id);
        if (cadence === 'faulted' && living && pids.length > 0 && latest.has(id)) {
          const reading: CollectorReading = { perPid: new Map(), single: {} };
          carryForward(id, reading, pids.filter((p) => living.has(p)));
          if (reading.perPid.size > 0) agg.push(id, env.monotonic(), reading);
        }
        continue;
      }
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
        if (s === sessionStream) dropLeavers(reading);
        if (cadence === 'faulted') {
          const living = alive?.(id);
          // a pid that exited since its last read is not carried: its share has gone to the others
          carryForward(id, reading, living ? pids.filter((p) => living.has(p) || reading.perPid.has(p)) : [...reading.perPid.keys()]);
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
      if (left.size) {
        pids = pids.filter((p) => !left.has(p));
        left.clear(); // the tree has them as outside now
      }
      const sampled = (id: string) => readings.get(gates.get(id)!.sampleStream)?.perPid;
      if (gates.size) await collect('faulted', pids, (id) => gates.get(id)!.gate.due(pids, readings.get(gates.get(id)!.sampleStream)), sampled);
      // labels: only the processes not read yet (a pid that vanished is forgotten, so a reused one is read again)
      const fresh = pids.filter((p) => !labelled.has(p));
      await collect('new-pids', fresh);
      // the same pids as last time (none fresh, as many): the set stands
      if (fresh.length > 0 || labelled.size !== pids.length) labelled = new Set(pids);
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
      checkMembership();
      await collect('new-pids', [...labelled]);
      // every live pid once per window, so each has its value in the record
      await collect('faulted', [...labelled]);
      const record: UsageRecord = { timestamp: isoWithOffset(env.now()), num_samples: samples, measurements: agg.report() };
      samples = 0;
      return record;
    },
    async commandExited() {
      await collect('report', []);
      rusageFinal = true;
    },
    summary: () => agg.summaryJSON((key) => info.units[key] ?? 'count'),
    describe,
    cgroup: () => cgroupInfo,
    warnings: () => [...warnings],
    close: async () => {
      files.close();
      await Promise.all(opened.map((c) => c.close?.()));
      return removeIsolate(isolate, warnings);
    },
  };
}

export { renderMeasurementHelp } from './help.js';
export { keyAvailability, machineEnvironment, type MeasurementEnvironment } from './environment.js';
