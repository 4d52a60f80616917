import { nullNonFiniteTokens } from '../json-text.js';

/** con-duct's info.json, parsed; Python's NaN / Infinity tokens read as null. */
export function parseConductJson(text: string): unknown {
  return JSON.parse(nullNonFiniteTokens(text)) as unknown;
}

/** Is this parsed info.json con-duct's? Its schema_version is 0.x and its summary has con-duct's peak_* fields. */
export function isConductInfoValue(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as { schema_version?: unknown; execution_summary?: unknown };
  const es = v.execution_summary;
  return (
    typeof v.schema_version === 'string' &&
    /^0\.\d+\.\d+$/.test(v.schema_version) &&
    es !== null &&
    typeof es === 'object' &&
    ('peak_rss' in es || 'peak_pcpu' in es)
  );
}

/** Is the text of an info.json con-duct's (0.x), not duct's? */
export function isConductInfo(text: string): boolean {
  try {
    return isConductInfoValue(parseConductJson(text));
  } catch {
    // not JSON at all: the duct path reports why
    return false;
  }
}

/** Is the first line of a usage file a con-duct record (totals / processes, no measurements)? */
export function isConductUsageRecord(text: string): boolean {
  const first = text.split('\n', 1)[0] ?? '';
  try {
    const v = parseConductJson(first) as Record<string, unknown> | null;
    return v !== null && typeof v === 'object' && !('measurements' in v) && ('totals' in v || 'processes' in v);
  } catch {
    return false;
  }
}
