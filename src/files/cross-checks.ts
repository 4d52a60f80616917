import type { JsonPositions } from './json-position.js';
import type { Problem } from './problems.js';

/*
 * What one JSON Schema cannot say: agreement between fields of info.json, and between
 * usage.jsonl and info.json. Run after the schema check, on whatever parsed.
 */

/** Checks across fields that one JSON Schema cannot express (every selected key has a unit, ...). */
export function crossCheckInfo(info: Record<string, unknown>, path: string, positions: JsonPositions, problems: Problem[]): void {
  const m = info.measurements as { selected?: unknown; units?: unknown; unavailable?: unknown } | undefined;
  if (!m || !Array.isArray(m.selected) || typeof m.units !== 'object' || m.units === null) return;
  const selected = new Set(m.selected as string[]);
  const units = m.units as Record<string, string>;
  const at = (field: string, message: string): void => {
    problems.push({ file: path, line: positions.lineOf(field), field, message, severity: 'error' });
  };
  for (const key of selected) if (!(key in units)) at('/measurements/units', `no unit for selected key ${key}`);
  for (const key of Object.keys(units)) if (!selected.has(key)) at(`/measurements/units/${key}`, 'unit of a key that is not in measurements.selected');
  if (typeof m.unavailable === 'object' && m.unavailable !== null) {
    for (const key of Object.keys(m.unavailable)) if (selected.has(key)) at(`/measurements/unavailable/${key}`, 'key is both selected and unavailable');
  }
  const summary = info.execution_summary;
  if (typeof summary === 'object' && summary !== null) {
    for (const [key, fig] of Object.entries(summary as Record<string, { unit?: unknown }>)) {
      if (!selected.has(key)) at(`/execution_summary/${key}`, 'summary of a key that is not in measurements.selected');
      else if (key in units && fig && typeof fig === 'object' && fig.unit !== units[key]) at(`/execution_summary/${key}/unit`, `unit ${JSON.stringify(fig.unit)} differs from measurements.units (${JSON.stringify(units[key])})`);
    }
  }
}

function valueKind(v: unknown): string {
  return v !== null && typeof v === 'object' ? 'tally' : typeof v === 'string' ? 'label' : 'number';
}

/** usage.jsonl checks beyond its schema: keys measured were selected, per-pid maps are of one kind, time runs forward. */
export function crossCheckUsage(record: Record<string, unknown>, line: number, path: string, selected: Set<string> | undefined, state: { lastTime?: number }, problems: Problem[]): void {
  const at = (field: string, message: string): void => void problems.push({ file: path, line, field, message, severity: 'error' });
  const ms = record.measurements;
  if (typeof ms === 'object' && ms !== null) {
    for (const [key, value] of Object.entries(ms as Record<string, unknown>)) {
      if (selected && !selected.has(key)) at(`/measurements/${key}`, 'measured but not in info.json measurements.selected');
      if (value !== null && typeof value === 'object') {
        const kinds = new Set(Object.values(value as Record<string, unknown>).map(valueKind));
        if (kinds.size > 1) at(`/measurements/${key}`, `per-pid values mix ${[...kinds].sort().join(' and ')}; all must be of one kind`);
      }
    }
  }
  const t = typeof record.timestamp === 'string' ? Date.parse(record.timestamp) : NaN;
  if (!Number.isNaN(t)) {
    if (state.lastTime !== undefined && t < state.lastTime) at('/timestamp', 'earlier than the previous line; reports are written in time order');
    state.lastTime = t;
  }
}
