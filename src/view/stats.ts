import { max, median, quantile } from 'simple-statistics';
import type { Unit } from '../aggregation/types.js';
import { fieldValue, RUN_FIELDS, type ListedRun } from './fields.js';
import type { LsFormat } from './formats.js';
import { humanizeValue } from './humanize.js';

/** Median, 95th percentile and max of one figure over one group of runs (only runs that have it count). */
export interface StatRow {
  /** the --group-by value, or null without grouping. */
  group: string | null;
  field: string;
  unit: Unit | null;
  /** runs that had the figure. */
  n: number;
  median: number;
  p95: number;
  max: number;
}

/** The figures `--stats` summarizes when no --fields are given: the run's time and peaks, then every measurement figure. */
export function defaultStatFields(runs: readonly ListedRun[]): string[] {
  const fields = ['wall_clock_time', 'mem_peak', 'cpu_peak'];
  const keys = new Set<string>();
  for (const r of runs) {
    for (const [k, v] of Object.entries(r.summary)) if (typeof v === 'number' && r.units[k] && !(k in RUN_FIELDS)) keys.add(k);
  }
  return [...fields, ...[...keys].sort()];
}

/** Group runs by a field's value (as text; a missing value groups under "-") and summarize each numeric field. */
export function computeStats(runs: readonly ListedRun[], fields: readonly string[], groupBy: string | null): StatRow[] {
  const groups = new Map<string | null, ListedRun[]>();
  for (const r of runs) {
    const g = groupBy === null ? null : String(fieldValue(r, groupBy) ?? '-');
    const list = groups.get(g);
    if (list) list.push(r);
    else groups.set(g, [r]);
  }
  const out: StatRow[] = [];
  for (const [group, members] of groups) {
    for (const field of fields) {
      const values: number[] = [];
      let unit: Unit | null = RUN_FIELDS[field]?.unit ?? null;
      for (const r of members) {
        const v = fieldValue(r, field);
        if (typeof v === 'number' && Number.isFinite(v)) {
          values.push(v);
          unit ??= r.units[field] ?? null;
        }
      }
      if (values.length === 0) continue;
      out.push({ group, field, unit, n: values.length, median: median(values), p95: quantile(values, 0.95), max: max(values) });
    }
  }
  return out;
}

/** Render stats: a table for people, raw numbers for the machine formats. */
export async function formatStats(rows: readonly StatRow[], format: LsFormat, grouped: boolean): Promise<string> {
  if (format === 'json') return `${JSON.stringify(rows)}\n`;
  if (format === 'json_pp') return `${JSON.stringify(rows, null, 2)}\n`;
  if (format === 'yaml') return rows.length ? (await import('yaml')).stringify(rows) : '[]\n';
  const header = [...(grouped ? ['GROUP'] : []), 'FIELD', 'N', 'MEDIAN', 'P95', 'MAX'];
  const table = rows.map((r) => [
    ...(grouped ? [r.group ?? '-'] : []),
    r.field,
    String(r.n),
    humanizeValue(r.median, r.unit ?? undefined),
    humanizeValue(r.p95, r.unit ?? undefined),
    humanizeValue(r.max, r.unit ?? undefined),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((c) => c[i]!.length)));
  return [header, ...table].map((c) => `${c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]!))).join('  ')}\n`).join('');
}
