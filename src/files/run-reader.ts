import { deviceMemoryOfInfo, GPU_DEVICE_MEMORY_FIELD } from './gpu-figures.js';
import { parseJsonLines } from './json-lines.js';
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve, sep } from 'node:path';
import type { ExecutionSummary, Unit } from '../aggregation/types.js';
import { DuctError } from '../errors.js';
import { hasNonFiniteToken } from './json-text.js';
import { CONDUCT_SUMMARY_FIELDS, CONDUCT_USAGE_FIELDS } from './legacy/conduct-names.js';
import { isConductInfoValue, parseConductJson } from './legacy/detect.js';
import { conductSummary, readConductRun } from './legacy/read-conduct.js';
import { fileKind, MAX_SERIES_BYTES, NotARunFile, readRunFile } from './read-bounded.js';
import type { CgroupScope } from './run-figures.js';
import type { RunView, UsagePoint } from './run-view.js';

/** The file name ending that marks a run: every run (duct's or con-duct's) has `<prefix>info.json`. */
export const INFO_SUFFIX = 'info.json';

/** What a viewer needs of a run without its usage series: what the `ls` index caches. */
export interface RunSummary {
  format: RunView['format'];
  prefix: string;
  summary: RunView['summary'];
  units: RunView['units'];
  warnings: string[];
}

/** The info.json fields copied into RunView.summary as they are, with their unit where numeric. */
const RUN_FIELDS: Record<string, Unit | null> = {
  command: null,
  exit_code: 'count',
  signal: null,
  duct_exit_code: 'count',
  duct_pid: null,
  boot_id: null,
  wall_clock_time: 'seconds',
  start_time: null,
  end_time: null,
  message: null,
  status: null,
  working_directory: null,
  duct_version: null,
  schema_version: null,
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What a run's cgroup figures are worth (see run-figures): only a group verified to hold the run alone counts as its own. */
function cgroupScope(cgroup: Record<string, unknown>): CgroupScope {
  if (cgroup.mode === 'isolate') return 'isolate';
  if (cgroup.membership === 'exclusive') return 'exclusive';
  if (cgroup.membership === 'shared') return 'shared';
  return 'unverified';
}

/**
 * Flatten a duct info.json into the RunView summary: a gauge or rate K gives `K` (its peak)
 * and `K_mean`; a counter K gives `K` (its total); a numeric label gives `K` (its last value).
 */
export function summarizeInfo(info: Record<string, unknown>): Pick<RunSummary, 'summary' | 'units'> {
  const summary: RunSummary['summary'] = {};
  const units: RunSummary['units'] = {};
  for (const [field, unit] of Object.entries(RUN_FIELDS)) {
    const v = info[field];
    if (typeof v === 'number' || typeof v === 'string' || v === null) {
      summary[field] = v;
      if (unit && typeof v === 'number') units[field] = unit;
    }
  }
  const system = isRecord(info.system) ? info.system : {};
  if (typeof system.hostname === 'string') summary.hostname = system.hostname;
  // the host figures con-duct's ls shows (no unit here: they are not the run's figures)
  const cpu = isRecord(system.cpu) ? system.cpu : {};
  if (typeof cpu.logical_cores === 'number') summary.cpu_total = cpu.logical_cores;
  if (typeof system.memory_total_bytes === 'number') summary.memory_total = system.memory_total_bytes;
  if (Array.isArray(system.gpus) && system.gpus.length > 0) summary.gpu = system.gpus.map((g: unknown) => (isRecord(g) && typeof g.model === 'string' ? g.model : '?')).join(', ');
  const detectors = isRecord(info.detectors) ? info.detectors : {};
  if (isRecord(detectors.counts)) {
    let events = 0;
    for (const n of Object.values(detectors.counts)) if (typeof n === 'number') events += n;
    summary.events = events;
    units.events = 'count';
  }
  const cgroup = isRecord(info.cgroup) ? info.cgroup : {};
  if (isRecord(info.cgroup)) summary.cgroup_scope = cgroupScope(cgroup);
  if (typeof cgroup.memory_limit_bytes === 'number') {
    summary.cgroup_memory_limit = cgroup.memory_limit_bytes;
    units.cgroup_memory_limit = 'bytes';
  }
  const deviceMemory = deviceMemoryOfInfo(info);
  if (deviceMemory !== null) {
    summary[GPU_DEVICE_MEMORY_FIELD] = deviceMemory;
    units[GPU_DEVICE_MEMORY_FIELD] = 'bytes';
  }
  const es = (isRecord(info.execution_summary) ? info.execution_summary : {}) as ExecutionSummary;
  for (const [key, ks] of Object.entries(es)) {
    if (!isRecord(ks)) continue;
    const unit = ks.unit;
    if (typeof ks.peak === 'number') {
      summary[key] = ks.peak;
      units[key] = unit;
    } else if (typeof ks.total === 'number') {
      summary[key] = ks.total;
      units[key] = unit;
    } else if (typeof ks.last === 'number' || typeof ks.last === 'string') {
      summary[key] = ks.last;
      if (typeof ks.last === 'number') units[key] = unit;
    }
    if (typeof ks.mean === 'number') {
      summary[`${key}_mean`] = ks.mean;
      units[`${key}_mean`] = unit;
    }
  }
  return { summary, units };
}

/**
 * Parse usage.jsonl text into points: single-valued keys only (per-pid maps are left to
 * their `_total` siblings, since summing per-pid peaks would invent a figure).
 * A torn line is skipped with a warning, never fatal.
 */
export function parseUsageText(text: string, fileName = 'usage.jsonl'): { points: UsagePoint[]; warnings: string[] } {
  const points: UsagePoint[] = [];
  const { lines, warnings } = parseJsonLines(text, fileName);
  for (const { line, value: rec } of lines) {
    const time_ms = isRecord(rec) && typeof rec.timestamp === 'string' ? Date.parse(rec.timestamp) : NaN;
    if (!isRecord(rec) || !Number.isFinite(time_ms) || !isRecord(rec.measurements)) {
      warnings.push(`${fileName}: line ${line} is not a usage record (no timestamp or measurements), skipped`);
      continue;
    }
    const values: Record<string, number> = {};
    for (const [key, v] of Object.entries(rec.measurements)) if (typeof v === 'number') values[key] = v;
    points.push({ time_ms, values });
  }
  return { points, warnings };
}

/** The units of the view fields a con-duct run has (its summary and usage names). */
function conductUnits(): RunSummary['units'] {
  const units: RunSummary['units'] = { wall_clock_time: 'seconds', exit_code: 'count' };
  for (const f of [...Object.values(CONDUCT_SUMMARY_FIELDS), ...Object.values(CONDUCT_USAGE_FIELDS)]) units[f.name] = f.unit;
  return units;
}

/**
 * Build a RunSummary from info.json text, duct's or con-duct's; a torn or non-object
 * info.json yields an empty summary and a warning.
 */
export function summarizeInfoText(infoPath: string, text: string): RunSummary & { info: Record<string, unknown> } {
  const prefix = infoPath.slice(0, infoPath.length - INFO_SUFFIX.length);
  const warnings: string[] = [];
  let info: unknown;
  try {
    info = JSON.parse(text);
  } catch {
    // con-duct (Python) may have written NaN; anything else is torn
    if (hasNonFiniteToken(text)) {
      try {
        info = parseConductJson(text);
        warnings.push(`${basename(infoPath)}: con-duct wrote NaN or Infinity (not JSON); read as null`);
      } catch {
        info = undefined;
      }
    }
  }
  if (!isRecord(info)) {
    return {
      format: 'duct',
      prefix,
      info: {},
      summary: {},
      units: {},
      warnings: [`${basename(infoPath)}: not a valid JSON object (torn or partial write?), its summary is skipped`],
    };
  }
  if (isConductInfoValue(info)) {
    return { format: 'con-duct-0.2', prefix, info, summary: conductSummary(info), units: conductUnits(), warnings };
  }
  return { format: 'duct', prefix, info, ...summarizeInfo(info), warnings };
}

/** Read one run by its info.json; tolerant of torn files (warnings, never a throw, once the file is readable). */
export async function readRun(infoPath: string): Promise<RunView> {
  let text: string;
  try {
    text = await readRunFile(infoPath);
  } catch (err) {
    throw new DuctError('E_INPUT', err instanceof NotARunFile ? err.message : `cannot read run ${infoPath}: ${(err as Error).message}`);
  }
  const s = summarizeInfoText(infoPath, text);
  if (s.format === 'con-duct-0.2') return readConductRun(infoPath);
  const usagePath = `${s.prefix}usage.jsonl`;
  return {
    ...s,
    info_path: infoPath,
    async usage(): Promise<UsagePoint[]> {
      let usageText: string;
      try {
        usageText = await readRunFile(usagePath, MAX_SERIES_BYTES);
      } catch (err) {
        s.warnings.push(`${basename(usagePath)}: cannot be read (${err instanceof NotARunFile ? err.message : ((err as NodeJS.ErrnoException).code ?? 'error')}), no usage series`);
        return [];
      }
      const parsed = parseUsageText(usageText, basename(usagePath));
      s.warnings.push(...parsed.warnings);
      return parsed.points;
    },
  };
}

export interface FindRunsOptions {
  /** read a `*info.json` symbolic link whose target is outside the tree searched (default: skipped with a warning). */
  followSymlinks?: boolean;
  /** an entry skipped (a FIFO, a device, a link out of the tree), one sentence each. */
  warn?: (message: string) => void;
}

/**
 * A `*info.json` symbolic link met in the walk: its target counts only if it is a
 * regular file inside the tree (or the user said to follow links out of it).
 */
function linkedRun(path: string, rootReal: string, opts: FindRunsOptions): boolean {
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    opts.warn?.(`skipped ${path}: a dangling symbolic link`);
    return false;
  }
  const st = statSync(target, { throwIfNoEntry: false });
  if (!st?.isFile()) {
    opts.warn?.(`skipped ${path}: a symbolic link to ${target}, ${st ? fileKind(st) : 'gone'}`);
    return false;
  }
  if (!opts.followSymlinks && !target.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep)) {
    opts.warn?.(`skipped ${path}: a symbolic link to ${target}, outside ${rootReal} (--follow-symlinks reads it)`);
    return false;
  }
  return true;
}

/**
 * Every `*info.json` under dir, sorted; a manual walk, since readdir's recursive mode
 * is several times slower on large directories. Only regular files, and links to
 * regular files inside the tree, count: a FIFO would block the reader, a device
 * (/dev/zero) never ends, a link out of the tree shows someone else's file.
 */
function walkInfoFiles(dir: string, opts: FindRunsOptions): string[] {
  let rootReal = dir;
  try {
    rootReal = realpathSync(dir);
  } catch {
    // removed meanwhile: the walk finds nothing
  }
  const out: string[] = [];
  const pending = [dir];
  while (pending.length > 0) {
    const d = pending.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      continue; // a subdirectory we may not read (or one removed meanwhile) holds no runs we can list
    }
    // d is already absolute and normalized, so plain concatenation is enough (path.join would re-normalize 10,000 times)
    const base = d.endsWith(sep) ? d : d + sep;
    for (const e of entries) {
      if (e.isDirectory()) pending.push(base + e.name);
      else if (!e.name.endsWith(INFO_SUFFIX)) continue;
      else if (e.isFile() || (e.isSymbolicLink() && linkedRun(base + e.name, rootReal, opts))) out.push(base + e.name);
      else if (!e.isSymbolicLink()) opts.warn?.(`skipped ${base + e.name}: ${fileKind(e)}, not a run's info.json`);
    }
  }
  return out.sort();
}

/**
 * The info.json of every run under the given paths (directories searched recursively;
 * a file is taken as a run's info.json), each once, absolute, in sorted order per path.
 */
export async function findRunPaths(paths: readonly string[], opts: FindRunsOptions = {}): Promise<string[]> {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    let st;
    try {
      st = await stat(abs);
    } catch {
      throw new DuctError('E_INPUT', `no such file or directory: ${p} (give a directory of runs or a run's info.json)`);
    }
    if (!st.isDirectory() && !st.isFile()) {
      opts.warn?.(`skipped ${p}: ${fileKind(st)}, not a run's info.json`);
      continue;
    }
    const found = st.isDirectory() ? walkInfoFiles(abs, opts) : [abs];
    for (const f of found) {
      if (seen.has(f)) continue;
      seen.add(f);
      out.push(f);
    }
  }
  return out;
}

/** findRunPaths, one run at a time. */
export async function* findRuns(paths: readonly string[], opts: FindRunsOptions = {}): AsyncIterable<string> {
  yield* await findRunPaths(paths, opts);
}

/** One detector event as the viewers need it. */
export interface EventPoint {
  time_ms: number;
  kind: string;
  attributes: Record<string, unknown>;
}

/** Parse events.jsonl text; torn or malformed lines are skipped with a warning. */
export function parseEventsText(text: string, fileName = 'events.jsonl'): { events: EventPoint[]; warnings: string[] } {
  const events: EventPoint[] = [];
  const { lines, warnings } = parseJsonLines(text, fileName);
  for (const { line, value: e } of lines) {
    const time_ms = isRecord(e) && typeof e.timestamp === 'string' ? Date.parse(e.timestamp) : NaN;
    if (isRecord(e) && typeof e.kind === 'string' && Number.isFinite(time_ms)) {
      events.push({ time_ms, kind: e.kind, attributes: isRecord(e.attributes) ? e.attributes : {} });
    } else {
      warnings.push(`${fileName}: line ${line} is not a complete event, skipped`);
    }
  }
  return { events, warnings };
}

/** Read a run's events.jsonl; a run without one (con-duct's, or detectors off) has no events. */
export async function readEvents(prefix: string): Promise<{ events: EventPoint[]; warnings: string[] }> {
  let text: string;
  try {
    text = await readRunFile(`${prefix}events.jsonl`, MAX_SERIES_BYTES);
  } catch (err) {
    // absent: nothing to mark
    return { events: [], warnings: err instanceof NotARunFile ? [err.message] : [] };
  }
  return parseEventsText(text, basename(`${prefix}events.jsonl`));
}
