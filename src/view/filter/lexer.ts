import { FilterError } from './filter-error.js';

export type Op = '==' | '!=' | '<' | '<=' | '>' | '>=' | '~' | '!~';

/** The kinds a literal can have; sizes, durations and percents carry their unit so a mismatch is caught. */
export type LiteralKind = 'number' | 'bytes' | 'seconds' | 'percent';

export type Token =
  | { type: 'num'; kind: LiteralKind; value: number; col: number; text: string }
  | { type: 'str'; value: string; col: number; text: string }
  | { type: 'ident'; name: string; col: number; text: string }
  | { type: 'kw'; word: 'and' | 'or' | 'not' | 'null' | 'true' | 'false'; col: number; text: string }
  | { type: 'op'; op: Op; col: number; text: string }
  | { type: 'lparen' | 'rparen'; col: number; text: string }
  | { type: 'end'; col: number; text: string };

/** Unit suffixes of size, duration and percent literals, with their factor to bytes, seconds or percent. */
export const LITERAL_UNITS: Record<string, { kind: LiteralKind; factor: number }> = {
  B: { kind: 'bytes', factor: 1 },
  KiB: { kind: 'bytes', factor: 1024 },
  MiB: { kind: 'bytes', factor: 1024 ** 2 },
  GiB: { kind: 'bytes', factor: 1024 ** 3 },
  TiB: { kind: 'bytes', factor: 1024 ** 4 },
  kB: { kind: 'bytes', factor: 1e3 },
  KB: { kind: 'bytes', factor: 1e3 },
  MB: { kind: 'bytes', factor: 1e6 },
  GB: { kind: 'bytes', factor: 1e9 },
  TB: { kind: 'bytes', factor: 1e12 },
  ms: { kind: 'seconds', factor: 1e-3 },
  s: { kind: 'seconds', factor: 1 },
  m: { kind: 'seconds', factor: 60 },
  h: { kind: 'seconds', factor: 3600 },
  d: { kind: 'seconds', factor: 86400 },
  '%': { kind: 'percent', factor: 1 },
};

const KEYWORDS = new Set(['and', 'or', 'not', 'null', 'true', 'false']);
const NUMBER = /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const UNIT = /[A-Za-z%]+/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_.]*/y;
const OPS: readonly Op[] = ['==', '!=', '<=', '>=', '!~', '<', '>', '~'];

/** Split a filter expression into tokens; a number may carry a unit, and durations may chain (`1h30m`). */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const col = i + 1;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push({ type: c === '(' ? 'lparen' : 'rparen', col, text: c });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= src.length) throw new FilterError(src, col, `unterminated string starting with ${c}`);
        const d = src[j]!;
        if (d === '\\' && j + 1 < src.length) {
          value += src[j + 1];
          j += 2;
        } else if (d === c) {
          j++;
          break;
        } else {
          value += d;
          j++;
        }
      }
      tokens.push({ type: 'str', value, col, text: src.slice(i, j) });
      i = j;
      continue;
    }
    if (c >= '0' && c <= '9') {
      tokens.push(readNumber(src, i));
      i += tokens[tokens.length - 1]!.text.length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      tokens.push({ type: 'op', op, col, text: op });
      i += op.length;
      continue;
    }
    if (c === '=') {
      // a lone '=' reads as '==': people type it, and it has no other meaning here
      tokens.push({ type: 'op', op: '==', col, text: '=' });
      i++;
      continue;
    }
    IDENT.lastIndex = i;
    const m = IDENT.exec(src);
    if (m) {
      const word = m[0];
      if (KEYWORDS.has(word)) tokens.push({ type: 'kw', word: word as 'and', col, text: word });
      else tokens.push({ type: 'ident', name: word, col, text: word });
      i += word.length;
      continue;
    }
    throw new FilterError(src, col, `unexpected character '${c}'`);
  }
  tokens.push({ type: 'end', col: src.length + 1, text: '' });
  return tokens;
}

/** A number with an optional unit; durations may chain parts of decreasing size (`1h30m`, `2m5s`). */
function readNumber(src: string, start: number): Token {
  let i = start;
  let total = 0;
  let kind: LiteralKind | null = null;
  let parts = 0;
  for (;;) {
    NUMBER.lastIndex = i;
    const n = NUMBER.exec(src);
    if (!n) break;
    const value = Number(n[0]);
    i += n[0].length;
    UNIT.lastIndex = i;
    const u = UNIT.exec(src);
    if (!u) {
      if (parts > 0) throw new FilterError(src, i + 1, `expected a duration unit after ${n[0]} (ms, s, m, h, d)`);
      return { type: 'num', kind: 'number', value, col: start + 1, text: src.slice(start, i) };
    }
    const unit = LITERAL_UNITS[u[0]];
    if (!unit) {
      throw new FilterError(src, i + 1, `unknown unit '${u[0]}' (valid: ${Object.keys(LITERAL_UNITS).join(', ')})`);
    }
    if (kind !== null && (kind !== 'seconds' || unit.kind !== 'seconds')) {
      throw new FilterError(src, i + 1, `only durations can chain parts, as in 1h30m`);
    }
    kind = unit.kind;
    total += value * unit.factor;
    i += u[0].length;
    parts++;
    if (kind !== 'seconds' || !(src[i]! >= '0' && src[i]! <= '9')) break;
  }
  if (kind === 'bytes') total = Math.round(total);
  return { type: 'num', kind: kind ?? 'number', value: total, col: start + 1, text: src.slice(start, i) };
}
