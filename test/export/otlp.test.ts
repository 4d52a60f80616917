/**
 * OTLP end to end: the built CLI sends to a receiver on 127.0.0.1 that decodes each request with
 * the official OTLP protobuf definitions, in both encodings; every record and attribute is
 * checked against the files of the same run. Endpoints that refuse, hang or answer 503 never
 * fail the run nor hold it past --export-timeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { inTempDir, runCli } from '../helpers/cli.js';
import { containerDir, cri, ts, write } from '../containerlogs/pods.js';
import { attributeMap, startReceiver, type Receiver, type ReceivedRequest } from './otlp-receiver.js';
import { summaryValues } from '../../src/run/summary-values.js';
import type { RunInfo } from '../../src/files/info.js';

const PROTOCOLS = ['http/protobuf', 'http/json'] as const;

function readJsonLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => (v as Obj[] | undefined) ?? [];

/** Every log record received, with its resource's attributes. */
function logRecords(requests: ReceivedRequest[]): Array<{ resource: Obj; record: Obj; scope: Obj }> {
  const out: Array<{ resource: Obj; record: Obj; scope: Obj }> = [];
  for (const r of requests.filter((q) => q.path === '/v1/logs')) {
    assert.equal(r.error, null, `a logs request did not decode: ${r.error}`);
    for (const rl of arr(r.body!.resourceLogs))
      for (const sl of arr(rl.scopeLogs))
        for (const record of arr(sl.logRecords)) out.push({ resource: attributeMap((rl.resource as Obj).attributes), record, scope: sl.scope as Obj });
  }
  return out;
}

/** The last value of each metric over every metrics request, with the resource of the last request. */
function lastMetrics(requests: ReceivedRequest[]): { resource: Obj; metrics: Map<string, { unit: string; kind: string; value: number; monotonic?: boolean }> } {
  const metrics = new Map<string, { unit: string; kind: string; value: number; monotonic?: boolean }>();
  let resource: Obj = {};
  for (const r of requests.filter((q) => q.path === '/v1/metrics')) {
    assert.equal(r.error, null, `a metrics request did not decode: ${r.error}`);
    for (const rm of arr(r.body!.resourceMetrics)) {
      resource = attributeMap((rm.resource as Obj).attributes);
      for (const sm of arr(rm.scopeMetrics))
        for (const m of arr(sm.metrics)) {
          const kind = m.gauge ? 'gauge' : 'sum';
          const data = (m.gauge ?? m.sum) as Obj;
          const point = arr(data.dataPoints).at(-1)!;
          metrics.set(m.name as string, {
            unit: m.unit as string,
            kind,
            value: Number(point.asDouble ?? point.asInt),
            ...(m.sum ? { monotonic: data.isMonotonic as boolean } : {}),
          });
        }
    }
  }
  return { resource, metrics };
}

async function withReceiver(mode: 'ok' | '503' | 'hang', fn: (r: Receiver) => Promise<void>): Promise<void> {
  const r = await startReceiver(mode);
  try {
    await fn(r);
  } finally {
    await r.close();
  }
}

for (const protocol of PROTOCOLS) {
  test(`duct run --otlp (${protocol}): events as log records, the run's figures as metrics, every attribute`, () =>
    withReceiver('ok', (r) =>
      inTempDir(async (dir) => {
        const res = await runCli(['--otlp', '-p', 'logs/run_', '--s-i', '0.1', '--r-i', '0.3', '--fail-time', '0', '--', 'print-oom-traceback'], {
          cwd: dir,
          env: {
            OTEL_EXPORTER_OTLP_ENDPOINT: r.url,
            OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
            OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer s3cret-token',
            OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test,team=ml',
            SLURM_JOB_ID: '4242',
            SLURM_ARRAY_TASK_ID: '3',
            SLURM_JOB_NAME: 'train-llm',
          },
        });
        assert.equal(res.code, 1, res.stderr); // the command's own status
        assert.doesNotMatch(res.stderr, /warning/);
        const contentType = protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
        for (const q of r.requests) {
          assert.equal(q.contentType, contentType);
          assert.equal(q.headers.authorization, 'Bearer s3cret-token'); // OTEL_EXPORTER_OTLP_HEADERS honoured
        }
        // credentials never land in duct's files or output
        const info = JSON.parse(readFileSync(join(dir, 'logs/run_info.json'), 'utf8')) as RunInfo;
        assert.doesNotMatch(JSON.stringify(info) + res.stderr + res.stdout, /s3cret/);

        const resourceExpected = {
          'service.name': 'duct',
          'service.version': info.duct_version,
          'host.name': hostname(),
          'duct.job.name': 'train-llm',
          'slurm.job.id': '4242',
          'slurm.array.task.id': '3',
          'process.executable.name': 'print-oom-traceback',
          'deployment.environment': 'test',
          team: 'ml',
        };
        // events.jsonl and the log records: one each, same attributes, same order
        const events = readJsonLines(join(dir, 'logs/run_events.jsonl'));
        const logs = logRecords(r.requests);
        assert.ok(events.length > 0);
        assert.equal(logs.length, events.length);
        logs.forEach(({ resource, record, scope }, i) => {
          const e = events[i]!;
          assert.deepEqual(resource, resourceExpected);
          assert.deepEqual({ name: scope.name, version: scope.version }, { name: 'duct', version: info.duct_version });
          assert.equal(record.eventName, `duct.${e.kind as string}`);
          assert.equal(record.severityText, 'ERROR');
          assert.equal(record.severityNumber, 17);
          assert.deepEqual(record.body, { stringValue: e.body });
          assert.equal(Math.round(Number(record.timeUnixNano) / 1e6), Date.parse(e.timestamp as string)); // JSON int64 passes through a double
          const expected: Obj = { 'duct.event.kind': e.kind, ...(e.attributes as Obj), 'log.iostream': e.stream, 'duct.line_number': e.line_number };
          for (const k of Object.keys(expected)) if (expected[k] === null) delete expected[k];
          assert.deepEqual(attributeMap(record.attributes), expected);
        });
        assert.equal(attributeMap(logs[0]!.record.attributes)['cuda_oom.tried_alloc_bytes'], 2 * 1024 ** 3);

        // the final metrics are the run's summary figures
        const { resource, metrics } = lastMetrics(r.requests);
        assert.deepEqual(resource, resourceExpected);
        const v = summaryValues(info);
        const expected = new Map<string, { unit: string; kind: string; value: number; monotonic?: boolean }>([
          ['duct.memory.peak', { unit: 'By', kind: 'gauge', value: v.mem_peak as number }],
          ['duct.memory.rss.average', { unit: 'By', kind: 'gauge', value: v.average_rss as number }],
          ['process.cpu.time', { unit: 's', kind: 'sum', value: v.cpu_seconds as number, monotonic: true }],
          ['duct.cpu.peak', { unit: '{cpu}', kind: 'gauge', value: (v.peak_pcpu as number) / 100 }],
          ['duct.cpu.average', { unit: '{cpu}', kind: 'gauge', value: (v.average_pcpu as number) / 100 }],
          ['process.uptime', { unit: 's', kind: 'gauge', value: info.wall_clock_time! }],
          ['duct.run.start_time', { unit: 's', kind: 'gauge', value: Date.parse(info.start_time) / 1000 }],
          ['duct.run.exit_code', { unit: '1', kind: 'gauge', value: 1 }],
          ['duct.run.finished', { unit: '1', kind: 'gauge', value: 1 }],
        ]);
        assert.deepEqual(new Map([...metrics].sort()), new Map([...expected].sort()));
        // the reports were sent as the run went (status still running then)
        assert.ok(r.requests.filter((q) => q.path === '/v1/metrics').length >= 2);
      }),
    ));
}

test('duct detect --otlp: container events carry the pod, namespace and container as k8s.* resource attributes', () =>
  withReceiver('ok', (r) =>
    inTempDir(async (dir) => {
      const c = containerDir(dir, 'ml', 'train-0', '6f1c2d3e-0000-4000-8000-000000000001', 'trainer');
      write(join(c, '2.log'), cri(ts(1), 'stderr', 'F', 'RuntimeError: CUDA out of memory. Tried to allocate 512.00 MiB (GPU 1; 15.78 GiB total capacity)'));
      const res = await runCli(['detect', '--otlp', join(dir, '*/*/*.log')], { cwd: dir, env: { OTEL_EXPORTER_OTLP_ENDPOINT: r.url, OTEL_SERVICE_NAME: 'node-agent' } });
      assert.equal(res.code, 0, res.stderr);
      const events = res.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Obj);
      assert.equal(events.length, 1);
      const logs = logRecords(r.requests);
      assert.equal(logs.length, 1);
      assert.deepEqual(logs[0]!.resource, {
        'service.name': 'node-agent', // OTEL_SERVICE_NAME wins over duct's default
        'service.version': JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version,
        'host.name': hostname(),
        'k8s.namespace.name': 'ml',
        'k8s.pod.name': 'train-0',
        'k8s.pod.uid': '6f1c2d3e-0000-4000-8000-000000000001',
        'k8s.container.name': 'trainer',
        'k8s.container.restart_count': 2,
      });
      assert.deepEqual(attributeMap(logs[0]!.record.attributes), {
        'duct.event.kind': 'cuda_oom',
        ...(events[0]!.attributes as Obj),
        'log.iostream': 'stderr',
        'duct.line_number': 1,
        'log.file.path': join(c, '2.log'),
      });
      assert.equal(Math.round(Number(logs[0]!.record.timeUnixNano) / 1e6), Date.parse('2024-05-01T10:00:01Z'));
    }),
  ));

const BOUND_S = 1;
for (const mode of ['refused', '503', 'hang'] as const) {
  test(`an OTLP endpoint that ${mode === 'refused' ? 'refuses connections' : mode === '503' ? 'answers 503' : 'never answers'}: the run and its files are untouched, one warning per signal, at most --export-timeout more`, async () => {
    const receiver = mode === 'refused' ? null : await startReceiver(mode);
    // a port that was just free: nothing listens there
    const url: string = receiver?.url ?? (await startReceiver('ok').then(async (r) => (await r.close(), r.url)));
    try {
      await inTempDir(async (dir) => {
        const started = Date.now();
        const res = await runCli(['--export-timeout', String(BOUND_S), '-p', 'logs/run_', '--s-i', '0.1', '--r-i', '0.2', '--fail-time', '0', '--', 'print-oom-traceback'], {
          cwd: dir,
          env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://user:pw@${url.slice('http://'.length)}`, OTEL_EXPORTER_OTLP_HEADERS: 'api-key=k3y' },
        });
        const elapsedMs = Date.now() - started;
        assert.equal(res.code, 1, res.stderr);
        const warnings = res.stderr.split('\n').filter((l) => l.startsWith('duct: warning:'));
        const host = url.slice('http://'.length);
        assert.deepEqual(warnings.map((w) => w.replace(/(\/v1\/(logs|metrics)): .+; the run goes on without them$/, '$1')).sort(), [
          `duct: warning: cannot send OTLP logs to http://REDACTED@${host}/v1/logs`,
          `duct: warning: cannot send OTLP metrics to http://REDACTED@${host}/v1/metrics`,
        ]);
        assert.doesNotMatch(res.stderr, /pw@|k3y/);
        const info = readFileSync(join(dir, 'logs/run_info.json'), 'utf8');
        assert.doesNotMatch(info, /pw@|k3y/);
        const parsed = JSON.parse(info) as RunInfo;
        assert.equal(parsed.status, 'finished');
        assert.ok(readJsonLines(join(dir, 'logs/run_events.jsonl')).length > 0);
        // the command itself takes well under a second; the exports add at most the bound
        assert.ok(elapsedMs < (parsed.wall_clock_time! + BOUND_S) * 1000 + 2500, `duct took ${elapsedMs} ms`);
        if (receiver) assert.ok(receiver.requests.length > 0, 'duct never reached the endpoint');
      });
    } finally {
      await receiver?.close();
    }
  });
}
