/**
 * Control characters a terminal acts on: C0 (ESC starts window-title and
 * screen-clearing sequences), DEL, C1 (0x9b is a one-byte CSI), line and
 * paragraph separators, and the bidirectional overrides that reorder what is shown.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Text from a run's data made safe to show: each control character written out as an escape (\n, \u001b), so it shows and never acts. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** escapeControl on every string of a JSON value, keys too. */
export function escapeControlDeep(value: unknown): unknown {
  if (typeof value === 'string') return escapeControl(value);
  if (Array.isArray(value)) return value.map(escapeControlDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeControl(k), escapeControlDeep(v)]));
  }
  return value;
}
