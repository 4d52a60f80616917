/** One parsed line of a JSON-lines file, with its 1-based line number. */
export interface JsonLine {
  line: number;
  value: unknown;
}

/**
 * Parse JSON-lines text the way every reader of duct's files must: blank lines
 * ignored, a line that is not JSON skipped with a warning, and a bad last line
 * named as a torn write (duct killed mid-write), never fatal.
 */
export function parseJsonLines(text: string, fileName: string): { lines: JsonLine[]; warnings: string[] } {
  const out: JsonLine[] = [];
  const warnings: string[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      out.push({ line: i + 1, value: JSON.parse(raw) as unknown });
    } catch {
      const torn = lines.slice(i + 1).every((l) => l.trim() === '');
      warnings.push(torn ? `${fileName}: last line ${i + 1} is incomplete (torn write), skipped` : `${fileName}: line ${i + 1} is not valid JSON, skipped`);
    }
  });
  return { lines: out, warnings };
}
