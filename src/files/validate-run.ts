import { readFile } from 'node:fs/promises';
import { SCHEMA_VERSION } from './info.js';
import { JsonPositions } from './json-position.js';
import { explainJsonError, parseJsonLines } from './json-text.js';
import { isConductInfo, isConductUsageRecord } from './legacy/detect.js';
import { conductUsagePath } from './legacy/read-conduct.js';
import { checkConductInfo, checkConductUsage } from './legacy/validate-conduct.js';
import type { Problem, RunCheck } from './problems.js';
import { crossCheckInfo, crossCheckUsage } from './cross-checks.js';
import { describeErrors } from './schema-errors.js';
import { schemas, type FileKind, type LoadedSchemas } from './schemas.js';

/** Read a file, or say it is missing / unreadable as a problem. */
export async function readText(path: string, problems: Problem[]): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problems.push({ file: path, line: 1, message: code === 'ENOENT' ? 'missing file' : `cannot read: ${code ?? String(err)}`, severity: 'error' });
    return undefined;
  }
}

/** Parse a whole-file JSON document, reporting where it fails; undefined when it does. */
export function parseJsonDocument(path: string, text: string, problems: Problem[]): unknown {
  if (text.trim() === '') {
    problems.push({ file: path, line: 1, message: 'empty file (expected one JSON object)', severity: 'error' });
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const why = explainJsonError(text, err);
    problems.push({ file: path, line: why.line ?? new JsonPositions(text).syntaxErrorLine() ?? 1, message: why.message, severity: 'error' });
    return undefined;
  }
}

function major(version: string): string {
  return version.split('.')[0] ?? version;
}

/** Validate a JSON-lines file line by line against the schema of its kind. */
export function checkJsonLines(
  path: string,
  text: string,
  kind: FileKind,
  loaded: LoadedSchemas,
  problems: Problem[],
  perRecord?: (record: Record<string, unknown>, line: number) => void,
): number {
  const parsed = parseJsonLines(text);
  for (const p of parsed.problems) problems.push({ file: path, line: p.line, message: p.message, severity: p.severity });
  const validate = loaded.validator(kind);
  if (!validate && parsed.records.length > 0) {
    problems.push({ file: path, line: 1, message: `schema/${kind}.schema.json is missing: lines checked as JSON only`, severity: 'warning' });
  }
  for (const { line, value } of parsed.records) {
    if (validate && !validate(value)) {
      for (const d of describeErrors(validate.errors, value)) problems.push({ file: path, line, field: d.field, message: d.message, severity: 'error' });
    }
    if (perRecord && value !== null && typeof value === 'object' && !Array.isArray(value)) perRecord(value as Record<string, unknown>, line);
  }
  return parsed.records.length;
}

/** Validate a duct info.json already parsed; returns its selected keys when they could be read. */
function checkInfo(path: string, text: string, info: unknown, loaded: LoadedSchemas, check: RunCheck): Set<string> | undefined {
  const problems = check.problems;
  const positions = new JsonPositions(text);
  const version = (info as { schema_version?: unknown } | null)?.schema_version;
  if (typeof version === 'string') {
    check.schemaVersion = version;
    if (/^\d+\.\d+\.\d+$/.test(version) && major(version) !== major(SCHEMA_VERSION)) {
      problems.push({ file: path, line: positions.lineOf('/schema_version'), field: '/schema_version', message: `written with schema ${version}; this duct reads schema ${SCHEMA_VERSION} (a different major version)`, severity: 'error' });
      return undefined;
    }
    if (version !== SCHEMA_VERSION) {
      problems.push({ file: path, line: positions.lineOf('/schema_version'), field: '/schema_version', message: `written with schema ${version}; checked against ${SCHEMA_VERSION}`, severity: 'warning' });
    }
  }
  const validate = loaded.validator('info');
  if (!validate) throw new Error('schema/info.schema.json is missing from the installed package');
  if (!validate(info)) {
    for (const d of describeErrors(validate.errors, info)) problems.push({ file: path, line: positions.lineOf(d.field), field: d.field, message: d.message, severity: 'error' });
  }
  if (info === null || typeof info !== 'object' || Array.isArray(info)) return undefined;
  crossCheckInfo(info as Record<string, unknown>, path, positions, problems);
  const selected = (info as { measurements?: { selected?: unknown } }).measurements?.selected;
  return Array.isArray(selected) ? new Set(selected.filter((k): k is string => typeof k === 'string')) : undefined;
}

async function checkOptionalLines(path: string, kind: FileKind, loaded: LoadedSchemas, check: RunCheck, perRecord?: (r: Record<string, unknown>, line: number) => void): Promise<void> {
  const scratch: Problem[] = [];
  const text = await readText(path, scratch);
  if (text === undefined) {
    // usage.jsonl / events.jsonl exist only once something was written to them
    if (!scratch[0]?.message.startsWith('missing')) check.problems.push(...scratch);
    return;
  }
  const records = checkJsonLines(path, text, kind, loaded, check.problems, perRecord);
  check.files.push({ path, records });
}

/** Check every file of the run at `prefix` (<prefix>info.json, usage.jsonl, events.jsonl), duct's or con-duct's. */
export async function validateRun(prefix: string, loaded: LoadedSchemas = schemas()): Promise<RunCheck> {
  return sortProblems(await checkRun(prefix, loaded));
}

/** Problems in file order, then line order (ajv reports in schema order). */
function sortProblems(check: RunCheck): RunCheck {
  const fileOrder = new Map<string, number>();
  for (const p of check.problems) if (!fileOrder.has(p.file)) fileOrder.set(p.file, fileOrder.size);
  check.problems.sort((a, b) => fileOrder.get(a.file)! - fileOrder.get(b.file)! || a.line - b.line);
  return check;
}

async function checkRun(prefix: string, loaded: LoadedSchemas): Promise<RunCheck> {
  const check: RunCheck = { target: prefix, format: 'unknown', files: [], problems: [] };
  const infoPath = `${prefix}info.json`;
  const text = await readText(infoPath, check.problems);
  if (text === undefined) return check;
  check.files.push({ path: infoPath });
  if (isConductInfo(text)) return checkConductRun(prefix, infoPath, text, loaded, check);
  check.format = 'duct';
  const info = parseJsonDocument(infoPath, text, check.problems);
  const selected = info === undefined ? undefined : checkInfo(infoPath, text, info, loaded, check);
  const order: { lastTime?: number } = {};
  await checkOptionalLines(`${prefix}usage.jsonl`, 'usage', loaded, check, (r, line) => crossCheckUsage(r, line, `${prefix}usage.jsonl`, selected, order, check.problems));
  await checkOptionalLines(`${prefix}events.jsonl`, 'events', loaded, check);
  return check;
}

async function checkConductRun(prefix: string, infoPath: string, text: string, loaded: LoadedSchemas, check: RunCheck): Promise<RunCheck> {
  check.format = 'con-duct-0.2';
  checkConductInfo(infoPath, text, loaded, check);
  const usagePath = conductUsagePath(prefix);
  const usage = await readText(usagePath, []);
  if (usage !== undefined) check.files.push({ path: usagePath, records: checkConductUsage(usagePath, usage, loaded, check.problems) });
  return check;
}

/** Check one file on its own, its kind told by its name (and, for a usage file, by its content). */
export async function validateFile(path: string, kind: 'info' | 'usage' | 'events' | 'conduct-usage', loaded: LoadedSchemas = schemas()): Promise<RunCheck> {
  return sortProblems(await checkFile(path, kind, loaded));
}

async function checkFile(path: string, kind: 'info' | 'usage' | 'events' | 'conduct-usage', loaded: LoadedSchemas): Promise<RunCheck> {
  const check: RunCheck = { target: path, format: 'duct', files: [], problems: [] };
  const text = await readText(path, check.problems);
  if (text === undefined) return check;
  if (kind === 'info') {
    check.files.push({ path });
    if (isConductInfo(text)) {
      check.format = 'con-duct-0.2';
      checkConductInfo(path, text, loaded, check);
      return check;
    }
    const info = parseJsonDocument(path, text, check.problems);
    if (info !== undefined) checkInfo(path, text, info, loaded, check);
    return check;
  }
  if (kind === 'conduct-usage' || (kind === 'usage' && isConductUsageRecord(text))) {
    check.format = 'con-duct-0.2';
    check.files.push({ path, records: checkConductUsage(path, text, loaded, check.problems) });
    return check;
  }
  const order: { lastTime?: number } = {};
  const records = checkJsonLines(path, text, kind, loaded, check.problems, kind === 'usage' ? (r, line) => crossCheckUsage(r, line, path, undefined, order, check.problems) : undefined);
  check.files.push({ path, records });
  return check;
}
