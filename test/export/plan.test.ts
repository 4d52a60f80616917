import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactUrl, resolveExportPlan, runLabels, type ExportOptionValues } from '../../src/export/plan.js';
import { isDuctError } from '../../src/errors.js';

const NONE: ExportOptionValues = {
  otlp: false, 'prom-textfile': '', pushgateway: '', 'pushgateway-reports': false, 'export-timeout': 3, 'export-job': '', 'export-command-line': false,
};
const ctx = (env: NodeJS.ProcessEnv = {}) => ({ env, host: 'node7', argv: ['/usr/bin/python3', 'train.py'] });
const plan = (o: Partial<ExportOptionValues>, env: NodeJS.ProcessEnv = {}) => resolveExportPlan({ ...NONE, ...o }, ctx(env));

test('nothing asked for: no plan (then no exporter module is loaded)', () => {
  assert.equal(plan({}), null);
  assert.equal(plan({}, { OTEL_EXPORTER_OTLP_HEADERS: 'a=b', OTEL_SERVICE_NAME: 'x' }), null);
});

test('--otlp alone: both signals to the default endpoint over http/protobuf, bounded by --export-timeout', () => {
  assert.deepEqual(plan({ otlp: true })!.otlp, {
    logs: { url: 'http://localhost:4318/v1/logs', protocol: 'http/protobuf', timeoutMs: 2400 },
    metrics: { url: 'http://localhost:4318/v1/metrics', protocol: 'http/protobuf', timeoutMs: 2400 },
  });
});

const endpointCases: Array<[string, NodeJS.ProcessEnv, { logs: string | null; metrics: string | null }]> = [
  ['the general endpoint gets each signal path', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, { logs: 'http://collector:4318/v1/logs', metrics: 'http://collector:4318/v1/metrics' }],
  ['a base path is kept', { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example/otlp' }, { logs: 'https://gw.example/otlp/v1/logs', metrics: 'https://gw.example/otlp/v1/metrics' }],
  ['a per-signal endpoint is used as given and alone turns on only its signal', { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:9999/ingest' }, { logs: 'http://logs:9999/ingest', metrics: null }],
  ['a per-signal endpoint wins over the general one', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://m:1/x' }, { logs: 'http://c:4318/v1/logs', metrics: 'http://m:1/x' }],
  ['OTEL_METRICS_EXPORTER=none turns metrics off', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_METRICS_EXPORTER: 'none' }, { logs: 'http://c:4318/v1/logs', metrics: null }],
];
for (const [name, env, urls] of endpointCases) {
  test(`OTLP endpoints: ${name}`, () => {
    const otlp = plan({}, env)!.otlp!;
    assert.deepEqual({ logs: otlp.logs?.url ?? null, metrics: otlp.metrics?.url ?? null }, urls);
  });
}

test('OTEL_SDK_DISABLED=true: no OTLP even with --otlp', () => {
  assert.equal(plan({ otlp: true }, { OTEL_SDK_DISABLED: 'true' }), null);
});

test('protocol and timeout: per-signal variables first, the smaller of the OTLP timeout and the export bound', () => {
  const otlp = plan({ otlp: true, 'export-timeout': 10 }, {
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_TIMEOUT: '500',
    OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '20000',
  })!.otlp!;
  assert.deepEqual([otlp.logs!.protocol, otlp.logs!.timeoutMs], ['http/json', 500]);
  assert.deepEqual([otlp.metrics!.protocol, otlp.metrics!.timeoutMs], ['http/protobuf', 8000]);
});

test('grpc is not spoken: a warning, and http/protobuf', () => {
  const p = plan({ otlp: true }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })!;
  assert.equal(p.otlp!.logs!.protocol, 'http/protobuf');
  assert.deepEqual(p.warnings, [
    'OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported by duct (http/protobuf, http/json); sending logs as http/protobuf',
    'OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported by duct (http/protobuf, http/json); sending metrics as http/protobuf',
  ]);
});

test('labels: job name (option > SLURM_JOB_NAME > program), host and the SLURM ids present; never a pid or the command line', () => {
  assert.deepEqual(plan({ pushgateway: 'http://pg:9091' })!.labels, [['job_name', 'python3'], ['host', 'node7']]);
  const env = { SLURM_JOB_NAME: 'llm', SLURM_JOB_ID: '12', SLURM_ARRAY_JOB_ID: '10', SLURM_ARRAY_TASK_ID: '2', SLURM_PROCID: '0', SLURM_NTASKS: '4' };
  assert.deepEqual(plan({ pushgateway: 'http://pg:9091' }, env)!.labels, [
    ['job_name', 'llm'], ['host', 'node7'], ['slurm_job_id', '12'], ['slurm_array_job_id', '10'], ['slurm_array_task_id', '2'], ['slurm_procid', '0'],
  ]);
  assert.deepEqual(plan({ pushgateway: 'http://pg:9091', 'export-job': 'nightly' }, env)!.labels[0], ['job_name', 'nightly']);
  assert.deepEqual(runLabels('j', 'h', { SLURM_JOB_ID: ' ' }), [['job_name', 'j'], ['host', 'h']]);
});

test('credentials are never shown: user, password and query of a URL are redacted', () => {
  assert.equal(redactUrl('https://alice:s3cret@otlp.example:4318/v1/logs?token=abc'), 'https://REDACTED@otlp.example:4318/v1/logs?REDACTED');
  assert.equal(redactUrl('http://127.0.0.1:9091'), 'http://127.0.0.1:9091/');
  assert.equal(redactUrl('not a url'), '(an unparsable URL)');
});

const badCases: Array<[string, Partial<ExportOptionValues>, NodeJS.ProcessEnv, RegExp]> = [
  ['a Pushgateway that is not a URL', { pushgateway: 'pg:9091/x' }, {}, /^--pushgateway pg:9091\/x is not an http or https URL$/],
  ['a Pushgateway URL with a password', { pushgateway: 'ftp://u:pw@pg' }, {}, /^--pushgateway ftp:\/\/REDACTED@pg\/ is not an http or https URL$/],
  ['a textfile directory that does not exist', { 'prom-textfile': '/nonexistent/dir' }, {}, /^--prom-textfile \/nonexistent\/dir is not a writable directory \(ENOENT\); give node_exporter's --collector.textfile.directory$/],
  ['a zero export timeout', { otlp: true, 'export-timeout': 0 }, {}, /^--export-timeout must be greater than 0 seconds \(got 0\)$/],
  ['--pushgateway-reports without --pushgateway', { 'pushgateway-reports': true }, {}, /^--pushgateway-reports needs --pushgateway URL$/],
  ['an OTLP endpoint that is not a URL', {}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, /^OTEL_EXPORTER_OTLP_ENDPOINT collector:4318 is not an http or https URL$/],
];
for (const [name, o, env, message] of badCases) {
  test(`bad input, one line naming it: ${name}`, () => {
    assert.throws(() => plan(o, env), (err: unknown) => isDuctError(err) && message.test(err.message));
  });
}

test('a textfile directory that is a file is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'duct-plan-'));
  try {
    writeFileSync(join(dir, 'f'), '');
    assert.throws(() => plan({ 'prom-textfile': join(dir, 'f') }), /is not a writable directory \(not a directory\)/);
    assert.equal(plan({ 'prom-textfile': dir })!.promTextfileDir, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
