import type { Unit } from '../aggregation/types.js';
import type { FigureName } from '../files/run-figures.js';
import { figuresOfInfo } from '../files/run-figures-of-info.js';
import { unitFromKeyName } from './fields.js';
import { humanizeValue } from './humanize.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The unit a plain info.json field has by its name (con-duct's legacy names included). */
function unitOfField(key: string): Unit | undefined {
  if (key === 'wall_clock_time' || key.endsWith('_interval') || key.endsWith('_seconds') || key === 'stall_seconds') return 'seconds';
  if (key.endsWith('_bytes') || key.endsWith('bytes') || key === 'memory_total' || /^(peak|average)_(rss|vsz)$/.test(key) || /^(rss|vsz)$/.test(key)) return 'bytes';
  if (/^(peak|average)_(pcpu|pmem)$/.test(key) || key === 'pcpu' || key === 'pmem') return 'percent';
  return unitFromKeyName(key);
}

/** Replace numbers by human strings, by the unit their key (or the enclosing measurement) has. */
function humanizeTree(v: Json, unit: Unit | undefined, key: string | null): Json {
  if (typeof v === 'number') {
    // con-duct's run times are epoch seconds
    if (unit === undefined && (key === 'start_time' || key === 'end_time')) return new Date(v * 1000).toISOString();
    const u = unit ?? (key !== null ? unitOfField(key) : undefined);
    return u && u !== 'count' && u !== 'label' && u !== 'state' ? humanizeValue(v, u) : v;
  }
  if (Array.isArray(v)) return v.map((x) => humanizeTree(x, unit, key));
  if (isObject(v)) {
    const out: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) out[k] = humanizeTree(x, unit, unit ? key : k);
    return out;
  }
  return v;
}

/** info.json with units humanized: each execution_summary figure by its recorded unit, other fields by name. */
export function humanizeInfo(info: Json): Json {
  if (!isObject(info)) return info;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(info)) {
    if (k === 'execution_summary' && isObject(v)) {
      const es: { [k: string]: Json } = {};
      for (const [key, ks] of Object.entries(v)) {
        const unit = isObject(ks) && typeof ks.unit === 'string' ? (ks.unit as Unit) : undefined;
        if (unit && isObject(ks)) {
          es[key] = Object.fromEntries(Object.entries(ks).map(([f, x]) => [f, f === 'tally' || f === 'unit' ? x : humanizeTree(x, unit, f)]));
        } else {
          es[key] = humanizeTree(ks, undefined, key);
        }
      }
      out[k] = es;
    } else if (k === 'figures' && isObject(v)) {
      out[k] = humanizeFigures(v);
    } else if (k === 'measurements' && isObject(v)) {
      // the selection block: keep its unit names as they are, humanize the intervals
      out[k] = Object.fromEntries(Object.entries(v).map(([f, x]) => [f, f === 'units' || f === 'unavailable' ? x : humanizeTree(x, undefined, f)]));
    } else {
      out[k] = humanizeTree(v, undefined, k);
    }
  }
  // a run written before info.json had its figures: the same definition, computed here
  if (!('figures' in info) && isObject(info.execution_summary)) out['figures'] = humanizeFigures(figuresOfInfo(info) as unknown as { [k: string]: Json });
  return out;
}

const FIGURE_UNITS: Record<FigureName, Unit> = { mem_peak: 'bytes', cpu_peak: 'percent', cpu_seconds: 'seconds' };

function humanizeFigures(figures: { [k: string]: Json }): Json {
  const out: { [k: string]: Json } = {};
  for (const [name, f] of Object.entries(figures)) {
    const unit = FIGURE_UNITS[name as FigureName] as Unit | undefined;
    out[name] = isObject(f) && unit ? { ...f, value: humanizeTree(f.value ?? null, unit, 'value') } : f;
  }
  return out;
}

/** One usage record with each measurement humanized by its unit (from info.json when known, else by its key's name). */
export function humanizeUsageRecord(rec: Json, units: Record<string, Unit>): Json {
  if (!isObject(rec) || !isObject(rec.measurements)) return humanizeTree(rec, undefined, null);
  const m: { [k: string]: Json } = {};
  for (const [key, v] of Object.entries(rec.measurements)) {
    const unit = units[key] ?? unitFromKeyName(key);
    m[key] = unit === 'state' || unit === 'label' || unit === 'count' || unit === undefined ? v : humanizeTree(v, unit, key);
  }
  return { ...rec, measurements: m };
}
