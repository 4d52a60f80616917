/** What `duct validate` reports: problems located by file, line and field. */

export type Severity = 'error' | 'warning';

export interface Problem {
  file: string;
  /** 1-based line; 1 for a whole-file problem (missing, empty) or when the line cannot be told. */
  line: number;
  /** JSON pointer of the field (ajv's instancePath), absent for whole-line problems. */
  field?: string;
  message: string;
  severity: Severity;
}

/** The result of checking one run (or one lone file). */
export interface RunCheck {
  /** the prefix of the run, or the path of a lone file. */
  target: string;
  format: 'duct' | 'con-duct-0.2' | 'unknown';
  /** schema_version read from info.json, when there was one. */
  schemaVersion?: string;
  /** files checked, with the number of records of JSON-lines files. */
  files: Array<{ path: string; records?: number }>;
  problems: Problem[];
}

/** `file:line: field: what is wrong`, warnings marked as such. */
export function formatProblem(p: Problem): string {
  const parts = [`${p.file}:${p.line}:`];
  if (p.severity === 'warning') parts.push('warning:');
  if (p.field !== undefined) parts.push(`${p.field}:`);
  parts.push(p.message);
  return parts.join(' ');
}

export function errorCount(check: RunCheck): number {
  return check.problems.filter((p) => p.severity === 'error').length;
}
