import { hasNonFiniteToken, nullNonFiniteTokens, parseJsonLines } from '../json-text.js';
import { JsonPositions } from '../json-position.js';
import type { Problem, RunCheck } from '../problems.js';
import { describeErrors } from '../schema-errors.js';
import type { LoadedSchemas } from '../schemas.js';
import { parseConductJson } from './detect.js';

const NAN_WARNING = "con-duct (Python) wrote NaN or Infinity, which JSON lacks; read as null";

/** Check a con-duct 0.2.x info.json against con-duct's own rules (schema/conduct-0.2); returns it parsed. */
export function checkConductInfo(path: string, text: string, loaded: LoadedSchemas, check: RunCheck): unknown {
  const positions = new JsonPositions(text);
  if (hasNonFiniteToken(text)) check.problems.push({ file: path, line: 1, message: NAN_WARNING, severity: 'warning' });
  const info = parseConductJson(text) as Record<string, unknown>;
  const version = info.schema_version as string;
  check.schemaVersion = version;
  if (!/^0\.2\.\d+$/.test(version)) {
    check.problems.push({ file: path, line: positions.lineOf('/schema_version'), field: '/schema_version', message: `con-duct schema ${version} is not supported: duct reads con-duct runs of schema 0.2.x`, severity: 'error' });
    return info;
  }
  const validate = loaded.validator('conduct-info');
  if (validate && !validate(info)) {
    for (const d of describeErrors(validate.errors, info)) check.problems.push({ file: path, line: positions.lineOf(d.field), field: d.field, message: d.message, severity: 'error' });
  }
  return info;
}

/** Check a con-duct usage.json(l) line by line; returns the number of records read. */
export function checkConductUsage(path: string, text: string, loaded: LoadedSchemas, problems: Problem[]): number {
  const parsed = parseJsonLines(nullNonFiniteTokens(text));
  if (hasNonFiniteToken(text)) problems.push({ file: path, line: 1, message: NAN_WARNING, severity: 'warning' });
  for (const p of parsed.problems) problems.push({ file: path, line: p.line, message: p.message, severity: p.severity });
  const validate = loaded.validator('conduct-usage');
  for (const { line, value } of parsed.records) {
    if (validate && !validate(value)) {
      for (const d of describeErrors(validate.errors, value)) problems.push({ file: path, line, field: d.field, message: d.message, severity: 'error' });
    }
  }
  return parsed.records.length;
}
