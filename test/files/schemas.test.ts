import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_VERSION } from '../../src/files/info.js';
import { describeErrors } from '../../src/files/schema-errors.js';
import { declaredVersions, loadSchemas, SCHEMA_DIR, schemas } from '../../src/files/schemas.js';
import { cgroup, detectors, keySummary, measurements, outputPaths, runInfo, slurmRequest, usageRecord } from './sample-info.js';

/**
 * The shape fingerprint of duct's own schemas (every schema/*.schema.json: info, usage,
 * events, verdict, records) for each schema version. A change to any shape changes the
 * fingerprint: bump SCHEMA_VERSION in src/files/info.ts and every file's x-duct-schema-version,
 * then record the new pair here. Once a version is released its
 * fingerprint never changes.
 */
const RECORDED_FINGERPRINTS: Record<string, string> = {
  '1.0.0': '4b1c2563a82d6615',
  '1.1.0': '2ce96020dab8fded',
  '1.2.0': 'd3c6bd1905c97d8b',
  '1.3.0': '2d646f96f78842c4',
};

/** The schema with its prose (description, title, $comment, examples) removed: only the shape. */
function shapeOnly(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOnly);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (['description', 'title', '$comment', 'examples'].includes(key)) continue;
    out[key] = shapeOnly((value as Record<string, unknown>)[key]);
  }
  return out;
}

function fingerprint(): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(SCHEMA_DIR).filter((n) => n.endsWith('.schema.json')).sort()) {
    hash.update(name).update(JSON.stringify(shapeOnly(JSON.parse(readFileSync(join(SCHEMA_DIR, name), 'utf8')))));
  }
  return hash.digest('hex').slice(0, 16);
}

test('every schema in schema/ compiles under ajv strict mode, the con-duct rules too', () => {
  const loaded = loadSchemas();
  assert.ok(loaded.files.size >= 4, [...loaded.files.keys()].join(', '));
  for (const name of loaded.files.keys()) {
    const s = loaded.files.get(name)!;
    assert.ok(loaded.ajv.getSchema(typeof s.$id === 'string' ? s.$id : name), `${name} compiles`);
  }
  for (const kind of ['info', 'usage', 'conduct-info', 'conduct-usage'] as const) assert.ok(loaded.validator(kind), kind);
});

test("each of duct's schemas declares the SCHEMA_VERSION that info.json's writer stamps", () => {
  const versions = declaredVersions(schemas());
  for (const name of ['info', 'usage', 'events', 'verdict']) assert.ok(versions.has(`${name}.schema.json`), name);
  for (const [name, v] of versions) assert.equal(v, SCHEMA_VERSION, `${name} declares x-duct-schema-version ${String(v)}; src/files/info.ts has ${SCHEMA_VERSION}`);
});

test('a change to the shape of schema/ changes SCHEMA_VERSION (fingerprint recorded per version)', () => {
  const recorded = RECORDED_FINGERPRINTS[SCHEMA_VERSION];
  const now = fingerprint();
  assert.ok(recorded, `no fingerprint recorded for schema version ${SCHEMA_VERSION}: add '${SCHEMA_VERSION}': '${now}'`);
  assert.equal(now, recorded, `schema/ changed shape (fingerprint ${now}) but SCHEMA_VERSION is still ${SCHEMA_VERSION}: bump it in src/files/info.ts and every x-duct-schema-version, and record the new fingerprint in this test (before 1.0.0 is released, recording the new fingerprint for 1.0.0 is enough)`);
});

test("the fingerprint ignores prose: descriptions can change without a version bump", () => {
  const a = shapeOnly({ type: 'object', description: 'one', properties: { x: { type: 'integer', title: 't' } } });
  const b = shapeOnly({ type: 'object', description: 'two', properties: { x: { type: 'integer' } } });
  assert.deepEqual(a, b);
  assert.notDeepEqual(shapeOnly({ type: 'integer' }), shapeOnly({ type: 'number' }));
});

/** The fields a schema object declares. */
function declared(schema: unknown): string[] {
  return Object.keys((schema as { properties: Record<string, unknown> }).properties).sort();
}

test('info.schema.json declares exactly the fields of RunInfo and the types it references, and requires the non-optional ones', () => {
  const info = schemas().files.get('info.schema.json')!;
  const defs = info.$defs as Record<string, { properties: object; required?: string[] }>;
  const pairs: Array<[string, object, { properties: object; required?: string[] }, string[]]> = [
    ['RunInfo', runInfo, info as never, Object.keys(runInfo)],
    ['OutputPaths', outputPaths, defs.output_paths!, Object.keys(outputPaths)],
    ['MeasurementInfo', measurements, defs.measurements!, Object.keys(measurements).filter((k) => k !== 'gpu')],
    ['CgroupInfo', cgroup, defs.cgroup!, ['version', 'memory_path', 'cpu_path', 'memory_limit_bytes', 'mode']],
    ['DetectorSummary', detectors, defs.detectors!, Object.keys(detectors)],
    ['KeySummary', keySummary, defs.key_summary!, ['unit']],
    ['SlurmRequest', slurmRequest, (defs.environment!.properties as Record<string, { properties: object; required?: string[] }>).slurm_request!, Object.keys(slurmRequest)],
  ];
  for (const [type, sample, schema, required] of pairs) {
    assert.deepEqual(declared(schema), Object.keys(sample).sort(), `${type}: schema fields vs the type's fields`);
    assert.deepEqual([...(schema.required ?? [])].sort(), [...required].sort(), `${type}: required fields`);
  }
  const usage = schemas().files.get('usage.schema.json')!;
  assert.deepEqual(declared(usage), Object.keys(usageRecord).sort());
  assert.deepEqual([...(usage.required as string[])].sort(), Object.keys(usageRecord).sort());
});

test('closed shapes say so; open ones (cgroup, detectors) are open on purpose', () => {
  const info = schemas().files.get('info.schema.json')!;
  const defs = info.$defs as Record<string, { additionalProperties?: unknown }>;
  assert.equal(info.additionalProperties, false);
  for (const closed of ['output_paths', 'measurements', 'key_summary', 'system', 'system_unavailable', 'environment']) assert.equal(defs[closed]!.additionalProperties, false, closed);
  for (const open of ['cgroup', 'detectors']) assert.notEqual(defs[open]!.additionalProperties, false, open);
  assert.equal(schemas().files.get('usage.schema.json')!.additionalProperties, false);
});

test('a complete RunInfo and a complete UsageRecord validate', () => {
  const s = schemas();
  const info = s.validator('info')!;
  assert.ok(info(runInfo), JSON.stringify(describeErrors(info.errors, runInfo)));
  const usage = s.validator('usage')!;
  assert.ok(usage(usageRecord), JSON.stringify(describeErrors(usage.errors, usageRecord)));
});

test('present-iff-measured: a record or summary with no measurement keys is valid, and so is each key alone', () => {
  const s = schemas();
  const usage = s.validator('usage')!;
  assert.ok(usage({ ...usageRecord, measurements: {} }));
  for (const [k, v] of Object.entries(usageRecord.measurements)) assert.ok(usage({ ...usageRecord, measurements: { [k]: v } }), k);
  const info = s.validator('info')!;
  assert.ok(info({ ...runInfo, execution_summary: {} }));
});

/** Validate `value` against `kind` and return the problems as `field: message` lines. */
function problems(kind: 'info' | 'usage', value: unknown): string[] {
  const v = schemas().validator(kind)!;
  return v(value) ? [] : describeErrors(v.errors, value).map((d) => `${d.field}: ${d.message}`);
}

const usageCases: Array<[string, Record<string, unknown>, RegExp]> = [
  ['a key that is not collector-first', { measurements: { rss_total: 1 } }, /^\/measurements\/rss_total: not a measurement key/],
  ['a label where a number or map belongs', { measurements: { proc_rss_total: '2 GB' } }, /^\/measurements\/proc_rss_total: must be a number or an object, got a string$/],
  ['an empty per-pid map (present-iff-measured)', { measurements: { proc_rss: {} } }, /^\/measurements\/proc_rss: must not be empty/],
  ['a pid that is not a decimal', { measurements: { proc_rss: { abc: 1 } } }, /^\/measurements\/proc_rss\/abc: not a pid/],
  ['a negative tally', { measurements: { proc_stat: { '1': { S: -1 } } } }, /^\/measurements\/proc_stat\/1\/S: must be at least 0, got -1$/],
  ['a number past 2^53', { measurements: { proc_rss_total: 2 ** 60 } }, /must be at most 9007199254740991 \(the largest integer a double holds exactly\)/],
  ['zero samples', { num_samples: 0 }, /^\/num_samples: must be at least 1, got 0$/],
  ['a timestamp without offset', { timestamp: '2025-01-31 12:00' }, /^\/timestamp: "2025-01-31 12:00" is not a valid date-time/],
  ['an unknown top-level field', { extra: true }, /^\/extra: unknown field/],
];
for (const [what, patch, expected] of usageCases) {
  test(`usage.schema.json rejects ${what}`, () => {
    const got = problems('usage', { ...usageRecord, ...patch });
    assert.equal(got.length, 1, got.join('\n'));
    assert.match(got[0]!, expected);
  });
}

test('sizes far beyond 32 bits are ordinary: a 2 TB limit and a 2 GiB reading validate', () => {
  assert.deepEqual(problems('usage', { ...usageRecord, measurements: { proc_rss_total: 2147483648, proc_rss: { '1': 2147483648000 } } }), []);
  assert.deepEqual(problems('info', { ...runInfo, cgroup: { ...cgroup, memory_limit_bytes: 2147483648000 } }), []);
  assert.match(problems('info', { ...runInfo, cgroup: { ...cgroup, memory_limit_bytes: 1.5 } })[0]!, /^\/cgroup\/memory_limit_bytes: must be an integer or null, got a number$/);
});

const infoCases: Array<[string, (i: Record<string, unknown>) => void, RegExp]> = [
  ['a missing required field', (i) => delete i.argv, /^\/argv: missing required field$/],
  ['an unknown field', (i) => (i.exit_status = 0), /^\/exit_status: unknown field \(not in the closed shape of the top level\)$/],
  ['a wrong type', (i) => (i.wall_clock_time = '90s'), /^\/wall_clock_time: must be a number or null, got a string$/],
  ['a value outside an enum', (i) => (i.mode = 'same-session'), /^\/mode: must be one of "new-session", "current-session", got "same-session"$/],
  ['a finished run without an end', (i) => (i.end_time = null), /^\/end_time: must be a string, got null: a finished run has an end_time$/],
  ['both an exit code and a signal', (i) => (i.signal = 'SIGKILL'), /^\/exit_code: must be null, got an integer: a run killed by a signal has no exit_code$/],
  ['an unknown field in the system block', (i) => ((i.system as Record<string, unknown>).uptime = 5), /^\/system\/uptime: unknown field/],
  ['a unit outside the catalogue', (i) => ((i.measurements as { units: Record<string, string> }).units.proc_rss_total = 'MB'), /^\/measurements\/units\/proc_rss_total: must be one of "bytes"/],
  ['a summary figure that is not one of peak/mean/total/last/tally', (i) => ((i.execution_summary as Record<string, object>).proc_rss_total = { unit: 'bytes', max: 1 }), /^\/execution_summary\/proc_rss_total\/max: unknown field/],
];
for (const [what, change, expected] of infoCases) {
  test(`info.schema.json rejects ${what}`, () => {
    const info = structuredClone(runInfo) as unknown as Record<string, unknown>;
    change(info);
    const got = problems('info', info);
    assert.equal(got.length, 1, got.join('\n'));
    assert.match(got[0]!, expected);
  });
}

test('a running info.json has nulls where the end goes, and the system block may be pending', () => {
  const running = { ...runInfo, status: 'running', end_time: null, wall_clock_time: null, exit_code: null, duct_exit_code: null, system: { unavailable: 'not gathered yet: the run had just started', hostname: 'node042' } };
  assert.deepEqual(problems('info', running), []);
  assert.match(problems('info', { ...running, exit_code: 0 })[0]!, /^\/exit_code: must be null, got an integer: null while the run is running$/);
  assert.match(problems('info', { ...running, system: {} })[0]!, /^\/system\/hostname: missing required field$/);
});

test("the README's files section names every field of info.json and usage.jsonl", () => {
  const readme = readFileSync(join(SCHEMA_DIR, '..', 'README.md'), 'utf8');
  const section = /<!-- section: files -->([\s\S]*?)<!-- \/section: files -->/.exec(readme)?.[1] ?? '';
  const info = schemas().files.get('info.schema.json')!;
  const defs = info.$defs as Record<string, { properties: object }>;
  const fields = [
    ...declared(info),
    ...declared(schemas().files.get('usage.schema.json')),
    ...['cgroup', 'measurements', 'key_summary', 'output_paths', 'detectors', 'system', 'system_unavailable', 'environment'].flatMap((d) => declared(defs[d])),
    ...declared((defs.environment!.properties as Record<string, unknown>).slurm_request),
  ];
  for (const f of fields) assert.ok(section.includes(f), `README files section does not mention ${f}`);
});
