/** Parsing JSON and JSON-lines text into values with line numbers, and saying why a text is not JSON. */

export interface ParsedLine {
  /** 1-based line number in the file. */
  line: number;
  value: unknown;
}

export interface TextProblem {
  line: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface ParsedLines {
  records: ParsedLine[];
  problems: TextProblem[];
  /** true when the last line had no newline (the writer was killed mid-write). */
  torn: boolean;
}

// a bare NaN / Infinity token outside a string: what Python's json.dumps writes for float('nan')
const NON_FINITE = /"(?:[^"\\]|\\.)*"|(-?\bInfinity\b|\bNaN\b)/g;

/** Does the text hold a NaN or Infinity token outside strings? */
export function hasNonFiniteToken(text: string): boolean {
  for (const m of text.matchAll(NON_FINITE)) if (m[1] !== undefined) return true;
  return false;
}

/** Replace bare NaN / Infinity tokens (outside strings) by null; for reading con-duct files, which Python wrote. */
export function nullNonFiniteTokens(text: string): string {
  return text.replace(NON_FINITE, (whole: string, token: string | undefined) => (token === undefined ? whole : 'null'));
}

/** Why JSON.parse rejected `text`, and the 1-based line of the failure within it when the error tells. */
export function explainJsonError(text: string, err: unknown): { line: number | undefined; message: string } {
  const raw = err instanceof Error ? err.message : String(err);
  if (hasNonFiniteToken(text)) return { line: lineOfToken(text), message: 'not JSON: NaN and Infinity are not JSON numbers (a finite number or null is)' };
  if (/Unexpected end of JSON input/.test(raw)) return { line: countLines(text), message: 'not JSON: the text ends before the value does (truncated?)' };
  const pos = /at position (\d+)/.exec(raw);
  if (pos && Number(pos[1]) >= text.trimEnd().length) return { line: countLines(text), message: 'not JSON: the text ends before the value does (truncated?)' };
  // V8 quotes the whole input after the token; keep only the token
  const reason = raw
    .replace(/^(Unexpected token '.+?'), .*is not valid JSON$/s, '$1')
    .replace(/ in JSON at position \d+.*$/s, '');
  return { line: pos ? lineAt(text, Number(pos[1])) : undefined, message: `not JSON: ${reason}` };
}

function lineOfToken(text: string): number {
  for (const m of text.matchAll(NON_FINITE)) if (m[1] !== undefined) return lineAt(text, m.index);
  return 1;
}

/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function countLines(text: string): number {
  return Math.max(1, lineAt(text, text.replace(/\n+$/, '').length));
}

/**
 * Split a JSON-lines file into parsed records. Each line must be one JSON value; an empty
 * line is an error; a last line without its newline is torn (a writer killed mid-write): a
 * warning, and its content is not used even when it happens to parse.
 */
export function parseJsonLines(text: string): ParsedLines {
  const records: ParsedLine[] = [];
  const problems: TextProblem[] = [];
  if (text.length === 0) return { records, problems, torn: false };
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  const torn = last.length > 0;
  lines.forEach((lineText, i) => {
    const line = i + 1;
    if (lineText.trim() === '') {
      problems.push({ line, message: 'empty line (each line must be one JSON object)', severity: 'error' });
      return;
    }
    try {
      records.push({ line, value: JSON.parse(lineText) as unknown });
    } catch (err) {
      problems.push({ line, message: explainJsonError(lineText, err).message, severity: 'error' });
    }
  });
  if (torn) {
    problems.push({
      line: lines.length + 1,
      message: `torn last line: ${last.length} bytes without a newline (the writer was killed mid-write?); the line is ignored`,
      severity: 'warning',
    });
  }
  return { records, problems, torn };
}

/** Deeper than any file duct writes (a few levels): readers that walk a value recursively refuse past it. */
export const MAX_JSON_DEPTH = 64;

/** Is the value nested deeper than `max` arrays/objects? Walked iteratively, so it never overflows the stack itself. */
export function nestedDeeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
