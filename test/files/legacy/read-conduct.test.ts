import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isConductInfo, isConductUsageRecord } from '../../../src/files/legacy/detect.js';
import { readConductRun } from '../../../src/files/legacy/read-conduct.js';
import { DuctError } from '../../../src/errors.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { runInfo } from '../sample-info.js';

const FIX = join(REPO_ROOT, 'test', 'fixtures', 'conduct');
const v021 = join(FIX, 'v0.2.1', '2024.10.03T09.15.00-51234_info.json');

test('a con-duct 0.2.1 run reads into the shared view: run fields, and con-duct figures under conduct_ names', async () => {
  const view = await readConductRun(v021);
  assert.equal(view.format, 'con-duct-0.2');
  assert.equal(view.prefix, join(FIX, 'v0.2.1', '2024.10.03T09.15.00-51234_'));
  assert.deepEqual(view.summary, {
    command: 'python train.py --epochs 2',
    exit_code: 0,
    signal: null,
    wall_clock_time: 91.25,
    start_time: '2024-10-03T13:15:00.012Z',
    end_time: '2024-10-03T13:16:31.262Z',
    hostname: 'node042',
    message: '',
    status: 'finished',
    conduct_peak_rss: 629145600,
    conduct_average_rss: 498073600.5,
    conduct_peak_vsz: 3758096384,
    conduct_average_vsz: 2684354560,
    conduct_peak_pmem: 2.4,
    conduct_average_pmem: 1.9,
    conduct_peak_pcpu: 279.8,
    conduct_average_pcpu: 168.4,
    conduct_num_samples: 90,
    conduct_num_reports: 4,
    // host facts, the same in duct runs (ls lists them under con-duct's names)
    cpu_total: 16,
    memory_total: 67108864000,
    uid: 1000,
    user: 'ada',
    gpu: null,
  });
  assert.equal(view.units.conduct_peak_rss, 'bytes');
  assert.equal(view.units.conduct_peak_pcpu, 'percent');
  assert.match(view.descriptions!.conduct_peak_pcpu!, /lifetime \(not an interval rate/);
  assert.deepEqual(view.warnings, []);
});

test("con-duct's names never pose as duct keys: nothing reads as a rate, nothing lacks the conduct_ prefix", async () => {
  const view = await readConductRun(v021);
  const runFields = new Set(['command', 'exit_code', 'signal', 'wall_clock_time', 'start_time', 'end_time', 'hostname', 'message', 'status', 'cpu_total', 'memory_total', 'uid', 'user', 'gpu']);
  for (const k of Object.keys(view.summary)) if (!runFields.has(k)) assert.match(k, /^conduct_/);
  const points = await view.usage();
  for (const p of points) for (const k of Object.keys(p.values)) assert.match(k, /^conduct_/);
  for (const k of [...Object.keys(view.summary), ...Object.keys(view.units)]) assert.doesNotMatch(k, /pdcpu|rate|_mean$/);
});

test('the usage series: one point per record, window maxima and means under their con-duct names', async () => {
  const points = await (await readConductRun(v021)).usage();
  assert.equal(points.length, 3);
  assert.equal(points[1]!.time_ms, Date.parse('2024-10-03T09:16:01.511902-04:00'));
  assert.deepEqual(points[1]!.values, {
    conduct_totals_rss: 629145600,
    conduct_totals_vsz: 3758096384,
    conduct_totals_pmem: 2.4,
    conduct_totals_pcpu: 279.8,
    conduct_averages_rss: 550502400,
    conduct_averages_vsz: 3221225472,
    conduct_averages_pmem: 2.1,
    conduct_averages_pcpu: 240.15,
    conduct_num_samples: 60,
  });
});

test('usage.jsonl of con-duct 0.18+, with a torn last line: the whole records are read and the torn one is warned about', async () => {
  const view = await readConductRun(join(FIX, 'v0.2.2-jsonl', '2025.12.10T14.02.11-777_info.json'));
  assert.equal(view.summary.message, 'baseline, batch 64');
  assert.equal((await view.usage()).length, 2);
  assert.equal(view.warnings.length, 1);
  assert.match(view.warnings[0]!, /usage\.jsonl:3: torn last line/);
});

test("Python's NaN reads as null with a warning; a run with no samples has null figures", async () => {
  const view = await readConductRun(join(FIX, 'v0.2.0-nan', '2024.09.20T08.00.00-4242_info.json'));
  assert.equal(view.summary.wall_clock_time, null);
  assert.equal(view.summary.conduct_peak_rss, null);
  assert.equal(view.summary.start_time, null);
  assert.match(view.warnings[0]!, /con-duct wrote NaN or Infinity \(not JSON\); read as null/);
  assert.deepEqual(await view.usage(), []);
});

test('detection: con-duct info.json and usage lines are told from duct files', () => {
  assert.equal(isConductInfo('{"schema_version": "0.2.2", "execution_summary": {"peak_rss": 1}}'), true);
  assert.equal(isConductInfo('{"schema_version": "0.2.0", "execution_summary": {"peak_pcpu": NaN}}'), true);
  assert.equal(isConductInfo(JSON.stringify(runInfo)), false);
  assert.equal(isConductInfo('not json'), false);
  assert.equal(isConductUsageRecord('{"timestamp": "t", "totals": {}, "processes": {}}\n'), true);
  assert.equal(isConductUsageRecord('{"timestamp": "t", "num_samples": 1, "measurements": {}}\n'), false);
});

test('a duct run is refused by the con-duct reader with a one-line reason', async () => {
  await assert.rejects(readConductRun(join(REPO_ROOT, 'package.json')), (e: unknown) => e instanceof DuctError && /a con-duct run is read from its <prefix>info\.json/.test(e.message));
  await assert.rejects(readConductRun(join(FIX, 'nope_info.json')), (e: unknown) => e instanceof DuctError && /cannot read .*nope_info\.json: ENOENT/.test(e.message));
});
