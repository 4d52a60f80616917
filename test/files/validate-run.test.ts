import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCount, formatProblem, type RunCheck } from '../../src/files/problems.js';
import { validateFile, validateRun } from '../../src/files/validate-run.js';
import { tempDir } from '../helpers/cli.js';
import { runInfo, usageRecord } from './sample-info.js';

/** Write a run's files under a fresh prefix and validate it; returns the formatted problems too. */
async function checkFiles(files: { info?: string; usage?: string; events?: string }): Promise<{ check: RunCheck; lines: string[]; prefix: string }> {
  const t = tempDir();
  try {
    const prefix = join(t.dir, 'r_');
    if (files.info !== undefined) writeFileSync(`${prefix}info.json`, files.info);
    if (files.usage !== undefined) writeFileSync(`${prefix}usage.jsonl`, files.usage);
    if (files.events !== undefined) writeFileSync(`${prefix}events.jsonl`, files.events);
    const check = await validateRun(prefix);
    return { check, prefix, lines: check.problems.map((p) => formatProblem(p).replace(prefix, 'r_')) };
  } finally {
    t.cleanup();
  }
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
const jsonl = (...records: unknown[]) => records.map((r) => JSON.stringify(r) + '\n').join('');
const info = pretty(runInfo);

test('a complete run validates: no problems, every file counted', async () => {
  const { check } = await checkFiles({ info, usage: jsonl(usageRecord, { ...usageRecord, timestamp: '2025-01-31T12:02:00.000+00:00' }) });
  assert.deepEqual(check.problems, []);
  assert.equal(check.format, 'duct');
  assert.equal(check.schemaVersion, runInfo.schema_version);
  assert.deepEqual(check.files.map((f) => [f.path.replace(/.*r_/, ''), f.records]), [['info.json', undefined], ['usage.jsonl', 2]]);
});

test('a problem in a pretty-printed info.json is reported at its own line, field as a JSON pointer', async () => {
  const broken = structuredClone(runInfo) as unknown as Record<string, Record<string, unknown>>;
  broken.output_paths!.stdout = 7;
  const text = pretty(broken);
  const line = text.split('\n').findIndex((l) => l.includes('"stdout": 7')) + 1;
  const { lines, check } = await checkFiles({ info: text });
  assert.deepEqual(lines, [`r_info.json:${line}: /output_paths/stdout: must be a string or null, got an integer`]);
  assert.equal(errorCount(check), 1);
});

test('a missing required field points at the object that lacks it', async () => {
  const broken = structuredClone(runInfo) as unknown as Record<string, Record<string, unknown>>;
  delete broken.measurements!.units;
  const text = pretty(broken);
  const line = text.split('\n').findIndex((l) => l.includes('"measurements": {')) + 1;
  const { lines } = await checkFiles({ info: text });
  assert.ok(lines.includes(`r_info.json:${line}: /measurements/units: missing required field`), lines.join('\n'));
});

const cases: Array<[string, { info?: string; usage?: string; events?: string }, string[], number]> = [
  ['an empty info.json', { info: '' }, ['r_info.json:1: empty file (expected one JSON object)'], 1],
  ['an info.json that is not JSON', { info: '{\n  "schema_version": "1.0.0",\n  "status": running\n}\n' }, ['r_info.json:3: not JSON: Unexpected token \'r\''], 1],
  ['an info.json cut short', { info: info.slice(0, 200) }, [/^r_info\.json:\d+: not JSON: the text ends before the value does \(truncated\?\)$/.source], 1],
  ['a NaN in info.json', { info: info.replace('"wall_clock_time": 90.25', '"wall_clock_time": NaN') }, [/^r_info\.json:\d+: not JSON: NaN and Infinity are not JSON numbers/.source], 1],
  ['a torn last line of usage.jsonl', { info, usage: jsonl(usageRecord) + '{"timestamp": "2025-01-31T12:0' }, ['r_usage.jsonl:2: warning: torn last line: 30 bytes without a newline (the writer was killed mid-write?); the line is ignored'], 0],
  ['an empty usage.jsonl (no report yet)', { info, usage: '' }, [], 0],
  ['a usage line that is not JSON', { info, usage: jsonl(usageRecord) + 'hello\n' + jsonl(usageRecord) }, [/^r_usage\.jsonl:2: not JSON: Unexpected token 'h'/.source], 1],
  ['an empty line inside usage.jsonl', { info, usage: jsonl(usageRecord) + '\n' + jsonl(usageRecord) }, ['r_usage.jsonl:2: empty line (each line must be one JSON object)'], 1],
  ['a NaN in usage.jsonl', { info, usage: jsonl(usageRecord) + '{"timestamp": "2025-01-31T12:03:00Z", "num_samples": 1, "measurements": {"proc_rss_total": NaN}}\n' }, ['r_usage.jsonl:2: not JSON: NaN and Infinity are not JSON numbers (a finite number or null is)'], 1],
  ['a wrong type in usage.jsonl', { info, usage: jsonl({ ...usageRecord, num_samples: '60' }) }, ['r_usage.jsonl:1: /num_samples: must be an integer, got a string'], 1],
  ['an unknown field in usage.jsonl', { info, usage: jsonl({ ...usageRecord, pids: [1] }) }, ['r_usage.jsonl:1: /pids: unknown field (not in the closed shape of the top level)'], 1],
  ['a missing required field in usage.jsonl', { info, usage: jsonl({ timestamp: usageRecord.timestamp, measurements: {} }) }, ['r_usage.jsonl:1: /num_samples: missing required field'], 1],
  ['a 2 GB number (an ordinary size)', { info, usage: jsonl({ ...usageRecord, measurements: { proc_rss_total: 2147483648000 } }) }, [], 0],
  ['a number no double holds exactly', { info, usage: jsonl({ ...usageRecord, measurements: { proc_rss_total: 18014398509481984 } }) }, ['r_usage.jsonl:1: /measurements/proc_rss_total: must be at most 9007199254740991 (the largest integer a double holds exactly), got 18014398509481984'], 1],
  ['a key measured but never selected', { info, usage: jsonl({ ...usageRecord, measurements: { ps_rss_total: 1 } }) }, ['r_usage.jsonl:1: /measurements/ps_rss_total: measured but not in info.json measurements.selected'], 1],
  ['a per-pid map mixing numbers and labels', { info, usage: jsonl({ ...usageRecord, measurements: { proc_cmd: { '1': 'a', '2': 3 } } }) }, ['r_usage.jsonl:1: /measurements/proc_cmd: per-pid values mix label and number; all must be of one kind'], 1],
  ['reports out of time order', { info, usage: jsonl(usageRecord, { ...usageRecord, timestamp: '2025-01-31T11:00:00Z' }) }, ['r_usage.jsonl:2: /timestamp: earlier than the previous line; reports are written in time order'], 1],
  ['no info.json', { usage: jsonl(usageRecord) }, ['r_info.json:1: missing file'], 1],
];
for (const [what, files, expected, errors] of cases) {
  test(`validate: ${what}`, async () => {
    const { lines, check } = await checkFiles(files);
    assert.equal(lines.length, expected.length, lines.join('\n'));
    expected.forEach((e, i) => (e.startsWith('^') ? assert.match(lines[i]!, new RegExp(e)) : assert.equal(lines[i], e)));
    assert.equal(errorCount(check), errors);
  });
}

test('cross-file checks: every selected key has a unit and a summary key has the same unit', async () => {
  const broken = structuredClone(runInfo);
  delete (broken.measurements.units as Record<string, string>).proc_cmd;
  broken.execution_summary.proc_rss_total!.unit = 'percent';
  const { lines } = await checkFiles({ info: pretty(broken) });
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines.join('\n'), /\/measurements\/units: no unit for selected key proc_cmd/);
  assert.match(lines.join('\n'), /\/execution_summary\/proc_rss_total\/unit: unit "percent" differs from measurements\.units \("bytes"\)/);
});

test('another minor schema version is checked with a warning; another major is refused', async () => {
  const minor = await checkFiles({ info: pretty({ ...runInfo, schema_version: '1.7.0' }) });
  assert.deepEqual(minor.lines, [`r_info.json:2: warning: /schema_version: written with schema 1.7.0; checked against ${runInfo.schema_version}`]);
  const major = await checkFiles({ info: pretty({ ...runInfo, schema_version: '9.0.0', extra: 1 }) });
  assert.deepEqual(major.lines, [`r_info.json:2: /schema_version: written with schema 9.0.0; this duct reads schema ${runInfo.schema_version} (a different major version)`]);
});

test('events.jsonl lines are checked as JSON lines (and against schema/events.schema.json where present)', async () => {
  const { lines, check } = await checkFiles({ info, events: '{"kind": "x"\n' });
  assert.match(lines[0]!, /^r_events\.jsonl:1: not JSON: /);
  assert.equal(errorCount(check), 1);
});

test("events.jsonl lines are checked against the detectors' schema", async () => {
  const ok = { timestamp: '2025-01-31T12:00:00.000Z', kind: 'dataloader_error', stream: 'stderr', line_number: 2, attributes: { 'dataloader.error_class': 'DataLoader worker killed', 'dataloader.worker_pid': 4242 }, body: 'DataLoader worker (pid 4242) is killed' };
  const { lines, check } = await checkFiles({ info, events: jsonl(ok, { ...ok, kind: 'gpu_melted' }) });
  assert.equal(errorCount(check), 1, lines.join('\n'));
  assert.match(lines[0]!, /^r_events\.jsonl:2: \/kind: must be one of "cuda_oom", .*got "gpu_melted"$/);
});

test('one file alone is checked by its kind', async () => {
  const t = tempDir();
  try {
    const p = join(t.dir, 'x_usage.jsonl');
    writeFileSync(p, jsonl(usageRecord, { ...usageRecord, extra: 1 }));
    const check = await validateFile(p, 'usage');
    assert.deepEqual(check.problems.map((x) => `${x.line} ${x.field} ${x.message}`), ['2 /extra unknown field (not in the closed shape of the top level)']);
    assert.deepEqual(check.files, [{ path: p, records: 2 }]);
  } finally {
    t.cleanup();
  }
});
