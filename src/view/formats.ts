import type { Unit } from '../aggregation/types.js';
import type { FieldValue } from './filter/evaluate.js';
import { escapeControl } from '../format/escape.js';
import { humanizeValue } from './humanize.js';

export const LS_FORMATS = ['summaries', 'pyout', 'json', 'json_pp', 'yaml'] as const;
export type LsFormat = (typeof LS_FORMATS)[number];

/** One output row: the selected fields' raw values, and the unit of each numeric one. */
export interface Row {
  values: Record<string, FieldValue>;
  units: Record<string, Unit | undefined>;
}

export interface FormatOptions {
  colors: boolean;
}

const BOLD = '\u001b[1m';
const RED = '\u001b[31m';
const GREEN = '\u001b[32m';
const RESET = '\u001b[0m';

function paint(text: string, code: string, on: boolean): string {
  return on ? `${code}${text}${RESET}` : text;
}

function cell(row: Row, field: string, colors: boolean): string {
  const v = row.values[field] ?? null;
  // a run's strings (its command, message) are shown, never acted on by the terminal
  const text = escapeControl(humanizeValue(v, row.units[field]));
  if (colors && (field === 'exit_code' || field === 'duct_exit_code') && typeof v === 'number') return paint(text, v === 0 ? GREEN : RED, true);
  return text;
}

/** Visible width, not counting color codes. */
function width(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/** Machine formats hold raw numbers (bytes, seconds, percent) and null for a missing field, keys in --fields order. */
function machineRows(rows: readonly Row[], fields: readonly string[]): Record<string, FieldValue>[] {
  return rows.map((r) => Object.fromEntries(fields.map((f) => [f, r.values[f] ?? null])));
}

const formatters: Record<LsFormat, (rows: readonly Row[], fields: readonly string[], opts: FormatOptions) => string> = {
  summaries(rows, fields, { colors }) {
    const label = Math.max(...fields.map((f) => f.length)) + 1;
    return rows
      .map((r) => fields.map((f, i) => (i === 0 ? paint(cell(r, f, false), BOLD, colors) : `  ${`${f}:`.padEnd(label)} ${cell(r, f, colors)}`)).join('\n'))
      .map((block) => `${block}\n`)
      .join('\n');
  },
  pyout(rows, fields, { colors }) {
    const table = rows.map((r) => fields.map((f) => cell(r, f, colors)));
    const widths = fields.map((f, i) => Math.max(f.length, ...table.map((cells) => width(cells[i]!))));
    const line = (cells: readonly string[]): string =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c))))
        .join('  ')
        .trimEnd();
    const header = line(fields.map((f) => f.toUpperCase()));
    return [paint(header, BOLD, colors), ...table.map(line)].map((l) => `${l}\n`).join('');
  },
  json(rows, fields) {
    return `${JSON.stringify(machineRows(rows, fields))}\n`;
  },
  json_pp(rows, fields) {
    return `${JSON.stringify(machineRows(rows, fields), null, 2)}\n`;
  },
  yaml() {
    throw new Error('yaml is rendered by formatRows');
  },
};

/** The formats `MachineJson` writes: the machine formats JSON.stringify would write from row objects. */
export const STREAMED_FORMATS: readonly LsFormat[] = ['json', 'json_pp'];

/**
 * `json` and `json_pp` written one row at a time from the field values, with no
 * object per row: the same text as JSON.stringify(machineRows(...)) (, null, 2).
 */
export class MachineJson {
  private readonly rows: string[] = [];
  private readonly keys: string[];
  private readonly open: string;
  private readonly between: string;
  private readonly close: string;

  constructor(
    fields: readonly string[],
    private readonly pretty: boolean,
  ) {
    this.keys = fields.map((f) => `${JSON.stringify(f)}:${pretty ? ' ' : ''}`);
    [this.open, this.between, this.close] = pretty ? ['  {\n    ', ',\n    ', '\n  }'] : ['{', ',', '}'];
  }

  /** One row: the values in fields order (a missing one as null). */
  add(values: readonly FieldValue[]): void {
    let text = this.open;
    for (let i = 0; i < this.keys.length; i++) text += (i === 0 ? '' : this.between) + this.keys[i] + JSON.stringify(values[i] ?? null);
    this.rows.push(text + this.close);
  }

  /** The whole answer, rows in the order added (reversed with `reverse`). */
  text(reverse = false): string {
    if (this.rows.length === 0) return '[]\n';
    if (reverse) this.rows.reverse();
    return this.pretty ? `[\n${this.rows.join(',\n')}\n]\n` : `[${this.rows.join(',')}]\n`;
  }
}

/** Render rows in one of `ls`'s formats (the yaml package is loaded only for yaml output). */
export async function formatRows(format: LsFormat, rows: readonly Row[], fields: readonly string[], opts: FormatOptions): Promise<string> {
  if (rows.length === 0) return format === 'summaries' || format === 'pyout' ? '' : '[]\n';
  if (format === 'yaml') {
    const { stringify } = await import('yaml');
    return stringify(machineRows(rows, fields));
  }
  return formatters[format](rows, fields, opts);
}
