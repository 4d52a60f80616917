import { existsSync } from 'node:fs';
import { MAX_SERIES_BYTES, NotARunFile, readRunFile } from '../read-bounded.js';
import type { Unit } from '../../aggregation/types.js';
import { DuctError } from '../../errors.js';
import { hasNonFiniteToken, nullNonFiniteTokens, parseJsonLines } from '../json-text.js';
import type { RunView, UsagePoint } from '../run-view.js';
import { CONDUCT_SUMMARY_FIELDS, CONDUCT_USAGE_FIELDS } from './conduct-names.js';
import { isConductInfoValue } from './detect.js';

type Json = Record<string, unknown>;

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** con-duct's times are seconds since the epoch; the view's are ISO 8601. */
function isoFromEpochSeconds(v: unknown): string | null {
  const s = num(v);
  return s === null ? null : new Date(s * 1000).toISOString();
}

function obj(v: unknown): Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

/** The usage file of a con-duct run: usage.json (con-duct up to 0.17), else usage.jsonl (0.18 on). */
export function conductUsagePath(prefix: string): string {
  return existsSync(`${prefix}usage.json`) ? `${prefix}usage.json` : `${prefix}usage.jsonl`;
}

/** One con-duct usage record as a view point; null when it has no readable timestamp. */
export function conductUsagePoint(record: unknown): UsagePoint | null {
  const r = obj(record);
  const time = typeof r.timestamp === 'string' ? Date.parse(r.timestamp) : NaN;
  if (Number.isNaN(time)) return null;
  const values: Record<string, number> = {};
  for (const [path, field] of Object.entries(CONDUCT_USAGE_FIELDS)) {
    const [group, key] = path.includes('.') ? path.split('.') : [undefined, path];
    const v = num(group === undefined ? r[key!] : obj(r[group])[key!]);
    if (v !== null) values[field.name] = v;
  }
  return { time_ms: time, values };
}

/** The flat summary of a con-duct info.json: run fields, then con-duct's figures under conduct_ names. */
export function conductSummary(info: Json): Record<string, number | string | null> {
  const es = obj(info.execution_summary);
  const summary: Record<string, number | string | null> = {
    command: str(es.command) ?? str(info.command),
    exit_code: num(es.exit_code),
    // con-duct folds a signal into exit_code as 128 + n; it records no signal name
    signal: null,
    wall_clock_time: num(es.wall_clock_time),
    start_time: isoFromEpochSeconds(es.start_time),
    end_time: isoFromEpochSeconds(es.end_time),
    hostname: str(obj(info.system).hostname),
    message: str(info.message) ?? '',
    // con-duct writes info.json once, at the end
    status: 'finished',
  };
  for (const [field, view] of Object.entries(CONDUCT_SUMMARY_FIELDS)) summary[view.name] = num(es[field]);
  // host fields con-duct's ls lists under these names
  const system = obj(info.system);
  summary.cpu_total = num(system.cpu_total);
  summary.memory_total = num(system.memory_total);
  summary.uid = num(system.uid);
  summary.user = str(system.user);
  const gpus = Array.isArray(info.gpu) ? info.gpu.map((g) => str(obj(g).name) ?? '?') : [];
  summary.gpu = gpus.length > 0 ? gpus.join(', ') : null;
  return summary;
}

function viewUnits(): Record<string, Unit> {
  const units: Record<string, Unit> = { wall_clock_time: 'seconds', exit_code: 'count' };
  for (const f of [...Object.values(CONDUCT_SUMMARY_FIELDS), ...Object.values(CONDUCT_USAGE_FIELDS)]) units[f.name] = f.unit;
  return units;
}

function viewDescriptions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of [...Object.values(CONDUCT_SUMMARY_FIELDS), ...Object.values(CONDUCT_USAGE_FIELDS)]) out[f.name] = f.description;
  return out;
}

/** A con-duct run's view without its usage series (what the `ls` index caches), from its info.json text. */
export interface ConductRunSummary {
  format: 'con-duct-0.2';
  prefix: string;
  info: Json;
  summary: RunView['summary'];
  units: RunView['units'];
  descriptions: Record<string, string>;
  warnings: string[];
}

/** Map the text of a con-duct 0.2.x info.json into the view's summary; Python's NaN read as null, with a warning. */
export function conductRunSummary(infoPath: string, text: string): ConductRunSummary {
  const warnings: string[] = [];
  if (hasNonFiniteToken(text)) warnings.push(`${infoPath}: con-duct wrote NaN or Infinity (not JSON); read as null`);
  let info: unknown;
  try {
    info = JSON.parse(nullNonFiniteTokens(text));
  } catch (err) {
    throw new DuctError('E_INPUT', `${infoPath} is not JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  if (!isConductInfoValue(info)) throw new DuctError('E_INPUT', `${infoPath} is not a con-duct run (no 0.x schema_version with a peak_rss summary)`);
  return {
    format: 'con-duct-0.2',
    prefix: infoPath.slice(0, -'info.json'.length),
    info: info as Json,
    summary: conductSummary(info as Json),
    units: viewUnits(),
    descriptions: viewDescriptions(),
    warnings,
  };
}

/** Read a con-duct usage file into view points; a torn or bad line is skipped with a warning pushed to `warnings`. */
export async function readConductUsage(usagePath: string, warnings: string[]): Promise<UsagePoint[]> {
  let usageText: string;
  try {
    usageText = await readRunFile(usagePath, MAX_SERIES_BYTES);
  } catch (err) {
    warnings.push(err instanceof NotARunFile ? err.message : `${usagePath}: missing; the run has no usage series`);
    return [];
  }
  const parsed = parseJsonLines(nullNonFiniteTokens(usageText));
  for (const p of parsed.problems) warnings.push(`${usagePath}:${p.line}: ${p.message}`);
  const points: UsagePoint[] = [];
  for (const { line, value } of parsed.records) {
    const point = conductUsagePoint(value);
    if (point) points.push(point);
    else warnings.push(`${usagePath}:${line}: no readable timestamp; record skipped`);
  }
  return points;
}

/**
 * Read a con-duct 0.2.x run (its <prefix>info.json path) into the view `ls`, `plot` and `pp`
 * share. Python's NaN is read as null; a torn or bad usage line is skipped with a warning.
 */
export async function readConductRun(infoPath: string): Promise<RunView> {
  if (!infoPath.endsWith('info.json')) throw new DuctError('E_INPUT', `${infoPath}: a con-duct run is read from its <prefix>info.json`);
  let text: string;
  try {
    text = await readRunFile(infoPath);
  } catch (err) {
    throw new DuctError('E_INPUT', err instanceof NotARunFile ? err.message : `cannot read ${infoPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const s = conductRunSummary(infoPath, text);
  const usagePath = conductUsagePath(s.prefix);
  return { ...s, info_path: infoPath, usage: () => readConductUsage(usagePath, s.warnings) };
}
