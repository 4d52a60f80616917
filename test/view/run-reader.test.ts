import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRuns, parseEventsText, parseUsageText, readRun, summarizeInfo } from '../../src/files/run-reader.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

const RUNS = join(REPO_ROOT, 'test', 'fixtures', 'runs');
const OK_RUN = join(RUNS, 'basic', '2026-11-20T10.00.00-4242_info.json');
const TORN_USAGE_RUN = join(RUNS, 'torn', '2026-11-20T13.00.00-7070_info.json');
const TORN_INFO_RUN = join(RUNS, 'torn', '2026-11-20T14.00.00-8080_info.json');

test('summarizeInfo flattens gauges to peak and _mean, counters to total, and keeps the run fields', () => {
  const { summary, units } = summarizeInfo({
    command: 'python train.py',
    exit_code: 0,
    wall_clock_time: 12.5,
    system: { hostname: 'node07' },
    detectors: { counts: { cuda_oom: 1, dataloader: 2 } },
    execution_summary: {
      proc_rss_total: { unit: 'bytes', peak: 2048, mean: 1024.5 },
      proc_cpu_seconds: { unit: 'seconds', total: 3.25 },
      proc_stat: { unit: 'state', tally: { R: 3 } },
    },
  });
  assert.deepEqual(summary, {
    command: 'python train.py',
    exit_code: 0,
    wall_clock_time: 12.5,
    hostname: 'node07',
    events: 3,
    proc_rss_total: 2048,
    proc_rss_total_mean: 1024.5,
    proc_cpu_seconds: 3.25,
  });
  assert.equal(units.proc_rss_total, 'bytes');
  assert.equal(units.proc_rss_total_mean, 'bytes');
  assert.equal(units.proc_cpu_seconds, 'seconds');
  assert.equal(units.wall_clock_time, 'seconds');
  assert.equal('proc_stat' in summary, false);
});

test('parseUsageText keeps single values, skips per-pid maps, and warns about a torn last line', () => {
  const text = [
    '{"timestamp":"2026-11-20T10:00:02+00:00","num_samples":2,"measurements":{"proc_rss_total":100,"proc_rss":{"1":50,"2":50}}}',
    '{"timestamp":"2026-11-20T10:00:04+00:00","num_samples":2,"measurements":{"proc_rss_total":200}}',
    '{"timestamp":"2026-11-20T10:00:06+00:00","num_sam',
  ].join('\n');
  const { points, warnings } = parseUsageText(text);
  assert.equal(points.length, 2);
  assert.deepEqual(points[0], { time_ms: Date.parse('2026-11-20T10:00:02Z'), values: { proc_rss_total: 100 } });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /last line 3 is incomplete/);
});

test('parseUsageText warns about a bad middle line and still reads the rest', () => {
  const text = 'garbage\n{"timestamp":"2026-11-20T10:00:02Z","num_samples":1,"measurements":{"a":1}}\n{"no":"timestamp"}\n';
  const { points, warnings } = parseUsageText(text);
  assert.equal(points.length, 1);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /line 1 is not valid JSON/);
  assert.match(warnings[1]!, /line 3 is not a usage record/);
});

test('readRun reads a fixture run and its usage series', async () => {
  const run = await readRun(OK_RUN);
  assert.equal(run.format, 'duct');
  assert.equal(run.prefix, OK_RUN.slice(0, -'info.json'.length));
  assert.equal(run.summary.command, 'python train.py --epochs 3');
  assert.equal(run.summary.cgroup_mem_peak, 1879048192);
  assert.equal(run.units.cgroup_mem_peak, 'bytes');
  const usage = await run.usage();
  assert.equal(usage.length, 4);
  assert.equal(usage[2]!.values.proc_pdcpu_total, 350.25);
  assert.deepEqual(run.warnings, []);
});

test('readRun of a run killed mid-write: the torn last usage line is a warning, the rest is read', async () => {
  const run = await readRun(TORN_USAGE_RUN);
  assert.equal(run.summary.status, 'running');
  const usage = await run.usage();
  assert.equal(usage.length, 2);
  assert.equal(run.warnings.length, 1);
  assert.match(run.warnings[0]!, /usage\.jsonl: last line 3 is incomplete/);
});

test('readRun of a torn info.json returns an empty summary with a warning instead of throwing', async () => {
  const run = await readRun(TORN_INFO_RUN);
  assert.deepEqual(run.summary, {});
  assert.match(run.warnings[0]!, /not a valid JSON object/);
});

test('parseEventsText reads events and skips torn ones', () => {
  const { events, warnings } = parseEventsText('{"timestamp":"2026-11-20T11:00:04.8Z","kind":"cuda_oom","attributes":{"cuda_oom.gpu_index":0}}\n{"timestamp":"2026');
  assert.equal(events.length, 1);
  assert.equal(events[0]!.kind, 'cuda_oom');
  assert.equal(events[0]!.time_ms, Date.parse('2026-11-20T11:00:04.8Z'));
  assert.equal(warnings.length, 1);
});

test('findRuns walks directories recursively, takes files as given, and yields each run once', async () => {
  const t = tempDir();
  try {
    mkdirSync(join(t.dir, 'a', 'deep'), { recursive: true });
    for (const p of ['a/x_info.json', 'a/deep/y_info.json', 'a/x_usage.jsonl', 'b_info.json', 'a/notes.txt']) writeFileSync(join(t.dir, p), '{}');
    const found: string[] = [];
    for await (const p of findRuns([join(t.dir, 'a'), join(t.dir, 'b_info.json'), join(t.dir, 'a', 'x_info.json')])) found.push(p);
    assert.deepEqual(found, [join(t.dir, 'a', 'deep', 'y_info.json'), join(t.dir, 'a', 'x_info.json'), join(t.dir, 'b_info.json')]);
    await assert.rejects(
      async () => {
        for await (const _ of findRuns([join(t.dir, 'missing')])) void _;
      },
      { code: 'E_INPUT', message: /no such file or directory: .*missing/ },
    );
  } finally {
    t.cleanup();
  }
});
