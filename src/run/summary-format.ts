import { humanizeBytes, humanizeSeconds } from '../format/units.js';
import { BY_KEY } from '../aggregation/catalogue.js';
import { DuctError } from '../errors.js';
import { escapeControl } from '../format/escape.js';

export const DEFAULT_SUMMARY_FORMAT = [
  'Summary:',
  'Exit Code: {exit_code!E}{failure}',
  'Command: {command}',
  'Log files location: {logs_prefix}',
  'Wall Clock Time: {wall_clock_time:.3f} sec',
  'Memory Peak: {mem_peak!S} ({mem_peak_source})',
  'Memory Peak Usage (RSS): {peak_rss!S}',
  'Memory Average Usage (RSS): {average_rss!S}',
  'Virtual Memory Peak Usage (VSZ): {peak_vsz!S}',
  'Virtual Memory Average Usage (VSZ): {average_vsz!S}',
  'Memory Peak Percentage: {peak_pmem:.2f!N}%',
  'Memory Average Percentage: {average_pmem:.2f!N}%',
  'Memory Peak (cgroup, incl. page cache): {cgroup_mem_peak!S}{cgroup_note}',
  'CPU Peak Usage: {peak_pcpu:.2f!N}%',
  'Average CPU Usage: {average_pcpu:.2f!N}%',
  'CPU Time: {cpu_seconds:.2f!N} sec ({cpu_seconds_source})',
  // the GPU lines, each ending in a newline, or nothing where no GPU was measured
  '{gpu_lines}',
].join('\n');

/** con-duct's summary lines duct fills only with `-m ps`: printed where measured, left out otherwise. */
const WHERE_MEASURED = new Set([
  'Virtual Memory Peak Usage (VSZ): {peak_vsz!S}',
  'Virtual Memory Average Usage (VSZ): {average_vsz!S}',
  'Memory Peak Percentage: {peak_pmem:.2f!N}%',
  'Memory Average Percentage: {average_pmem:.2f!N}%',
]);

/** Fields every summary has besides the measurement keys (`KEY`, `KEY_peak`, `KEY_mean`, `KEY_total`). */
export const SUMMARY_FIELDS = [
  'exit_code', 'signal', 'failure', 'command', 'logs_prefix', 'wall_clock_time', 'message', 'start_time', 'end_time',
  'peak_rss', 'average_rss', 'peak_vsz', 'average_vsz', 'peak_pmem', 'average_pmem', 'peak_pcpu', 'average_pcpu', 'cpu_seconds',
  'mem_peak', 'mem_peak_source', 'cpu_seconds_source', 'cgroup_note', 'gpu_lines',
];
/** `{KEY}`, `{KEY_peak}`, `{KEY_mean}`, `{KEY_total}` of a catalogue key. */
const isMeasurementField = (name: string): boolean => BY_KEY.has(name.replace(/_(peak|mean|total)$/, '')) || BY_KEY.has(name);

export type SummaryValues = Record<string, string | number | null | undefined>;

const PLACEHOLDER = /\{([^{}]*)\}/g;
/** A placeholder and the `%` that may follow it (dropped when the value is absent). */
const ABSENT_PERCENT_OR_PLACEHOLDER = /\{([^{}]*)\}(%?)/g;

interface Field {
  name: string;
  spec: string;
  conversion: string | null;
}

/** Parse `name`, `name!C`, `name:spec`, `name:spec!C` (con-duct's order) or `name!C:spec` (Python's). */
function parseField(body: string): Field {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:!([A-Za-z]))?(?::([^!]*))?(?:!([A-Za-z]))?$/.exec(body);
  if (!m) throw new DuctError('E_OPTION_VALUE', `invalid field {${body}} in --summary-format: expected {name}, {name:spec} or {name:spec!C}`);
  return { name: m[1]!, spec: m[3] ?? '', conversion: m[2] ?? m[4] ?? null };
}

/** Fail before the run on a template naming a field that can never have a value. */
export function checkSummaryFormat(template: string): void {
  for (const m of template.matchAll(PLACEHOLDER)) {
    const f = parseField(m[1]!);
    if (!SUMMARY_FIELDS.includes(f.name) && !isMeasurementField(f.name)) {
      throw new DuctError(
        'E_OPTION_VALUE',
        `unknown field {${f.name}} in --summary-format: valid fields are ${SUMMARY_FIELDS.join(', ')}, and any measurement key (e.g. cgroup_mem_peak, proc_rss_total_mean)`,
      );
    }
    if (f.conversion && !'SEXNPT'.includes(f.conversion)) {
      throw new DuctError('E_OPTION_VALUE', `unknown conversion !${f.conversion} in --summary-format: valid are !S !E !X !N !P !T`);
    }
    const spec = SPEC.exec(f.spec);
    if (spec && (Number(spec[3] ?? 0) > MAX_WIDTH || Number(spec[4] ?? 0) > MAX_PRECISION)) {
      throw new DuctError(
        'E_OPTION_VALUE',
        `invalid spec {${m[1]}} in --summary-format: a width is at most ${MAX_WIDTH} and a precision at most ${MAX_PRECISION} (e.g. {wall_clock_time:>10.3f})`,
      );
    }
  }
}

/** Python's format-spec subset: [[fill]align][width][.precision][type f d s %]. */
const SPEC = /^(?:(.)?([<>^]))?(\d+)?(?:\.(\d+))?([fds%])?$/;
/** Bounds checked before the run, so the summary can always be rendered after it (toFixed throws past 100). */
const MAX_WIDTH = 1000;
const MAX_PRECISION = 100;

function applySpec(value: string | number, spec: string): string {
  const m = SPEC.exec(spec);
  if (!m || spec === '') return String(value);
  const [, fill = ' ', align, width, precision, type] = m;
  let s: string;
  if (typeof value === 'number' && (type === 'f' || (type === undefined && precision !== undefined))) s = value.toFixed(Number(precision ?? 6));
  else if (typeof value === 'number' && type === '%') s = `${(value * 100).toFixed(Number(precision ?? 6))}%`;
  else if (typeof value === 'number' && type === 'd') s = String(Math.round(value));
  else s = String(value);
  const w = Number(width ?? 0);
  if (s.length >= w) return s;
  const pad = fill.repeat(w - s.length);
  const a = align ?? (typeof value === 'number' ? '>' : '<');
  if (a === '<') return s + pad;
  if (a === '>') return pad + s;
  const left = pad.slice(0, Math.floor(pad.length / 2));
  return left + s + pad.slice(left.length);
}

const GREEN = 32;
const RED = 31;
const NONE = '-';

const absent = (v: SummaryValues[string]): boolean => v === null || v === undefined;

/** Fields whose value is whole lines of duct's own summary (each ending in a newline), or nothing. */
const LINE_FIELDS: ReadonlySet<string> = new Set(['gpu_lines']);

/** A WHERE_MEASURED line whose values are all absent is left out. */
function measuredLines(template: string, values: SummaryValues): string {
  return template
    .split('\n')
    .filter((line) => !WHERE_MEASURED.has(line) || [...line.matchAll(PLACEHOLDER)].some((m) => !absent(values[parseField(m[1]!).name])))
    .join('\n');
}

/**
 * Render the summary template; an absent value prints as a plain "-" (no color: it is no
 * reading, good or bad), and a `%` right after it is dropped, so "CPU Peak Usage: -".
 */
export function formatSummary(template: string, values: SummaryValues, colors: boolean): string {
  const color = (s: string, c: number) => (colors ? `\x1b[1;${c}m${s}\x1b[0m` : s);
  // the template's own text is the user's, but a control character in it is still written out, never acted on
  const literal = template.split('\n').map(escapeControl).join('\n');
  return measuredLines(literal, values).replace(ABSENT_PERCENT_OR_PLACEHOLDER, (_m, body: string, percent: string) => {
    const f = parseField(body);
    const raw = values[f.name];
    // whole lines duct builds (the GPU lines): kept as lines, each one escaped; nothing where absent
    if (LINE_FIELDS.has(f.name)) return typeof raw === 'string' ? raw.split('\n').map(escapeControl).join('\n') : '';
    // a value from the run (the command) is shown, never acted on by the terminal
    const v = typeof raw === 'string' ? escapeControl(raw) : raw;
    if (absent(v)) return NONE;
    const rendered = render(f, v!);
    return rendered + percent;
  });

  function render(f: Field, v: string | number): string {
    switch (f.conversion) {
      case 'S':
        return color(typeof v === 'number' ? humanizeBytes(v) : String(v), GREEN);
      case 'E':
        return color(applySpec(v, f.spec), v ? RED : GREEN);
      case 'X':
        return color(applySpec(v, f.spec), v ? GREEN : RED);
      case 'N':
        return color(applySpec(v, f.spec), GREEN);
      case 'P':
        return `${Number(v).toFixed(2)}%`;
      case 'T':
        return typeof v === 'number' ? humanizeSeconds(v) : String(v);
      default:
        return applySpec(v, f.spec);
    }
  }
}
