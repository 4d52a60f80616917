/**
 * The text a candidate line is matched on. A JSON logger's record (`{"level": "error",
 * "message": "Traceback ...\nRuntimeError: CUDA out of memory ..."}`) holds the message
 * escaped: matched raw, `\n` glues an `n` to the exception name. Its string fields are
 * decoded first (a field holding JSON again is decoded too), and a line that is not JSON
 * but carries escapes (a repr of a traceback, `\"` quotes) is unescaped. Only lines the
 * keyword scan let through get here, so the cost stays off the common path.
 */

export interface DecodedLine {
  /** what the classifier and the field extractors read. */
  text: string;
  /** a `rank` / `local_rank` number field of a JSON record; null when it has none. */
  rank: number | null;
}

/** Nesting and field bounds: a record deeper or wider than this is read as far as the bounds go. */
const MAX_DEPTH = 4;
const MAX_FIELDS = 256;
const RANK_KEYS = ['rank', 'global_rank', 'local_rank'] as const;

interface Walk {
  parts: string[];
  rank: number | null;
  fields: number;
}

function walk(v: unknown, w: Walk, depth: number): void {
  if (depth > MAX_DEPTH || w.fields >= MAX_FIELDS) return;
  if (typeof v === 'string') {
    w.fields++;
    const inner = v.length > 1 && v.charCodeAt(0) === 123 /* { */ ? parseObject(v) : undefined;
    if (inner !== undefined) walk(inner, w, depth + 1);
    else w.parts.push(v);
    return;
  }
  if (typeof v !== 'object' || v === null) return;
  if (Array.isArray(v)) {
    for (const x of v) walk(x, w, depth + 1);
    return;
  }
  const o = v as Record<string, unknown>;
  if (w.rank === null) {
    for (const k of RANK_KEYS) {
      const r = o[k];
      if (typeof r === 'number' && Number.isSafeInteger(r) && r >= 0) {
        w.rank = r;
        break;
      }
    }
  }
  for (const k in o) walk(o[k], w, depth + 1);
}

function parseObject(text: string): object | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

const ESCAPE = /\\(["'\\nrt])/g;
const UNESCAPED: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', n: '\n', r: '\r', t: '\t' };

/** The line with its JSON string fields decoded, or its backslash escapes undone; the line itself when it has neither. */
export function decodeLine(text: string): DecodedLine {
  const open = text.indexOf('{');
  if (open >= 0) {
    const close = text.lastIndexOf('}');
    const record = close > open ? parseObject(text.slice(open, close + 1)) : undefined;
    if (record !== undefined) {
      const w: Walk = { parts: [], rank: null, fields: 0 };
      walk(record, w, 0);
      // what stands before the record (a launcher prefix, a timestamp) is kept: it may name the rank
      return { text: text.slice(0, open) + w.parts.join('\n'), rank: w.rank };
    }
  }
  if (text.includes('\\')) return { text: text.replace(ESCAPE, (_, c: string) => UNESCAPED[c]!), rank: null };
  return { text, rank: null };
}
