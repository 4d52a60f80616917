import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventLogRecord, sourceResource } from '../../src/export/log-record.js';
import { runFigures } from '../../src/export/figures.js';
import { promFileName, promRegistry } from '../../src/export/prometheus.js';
import { runResource } from '../../src/export/resource.js';
import type { DetectorEvent } from '../../src/detectors/types.js';
import type { RunInfo } from '../../src/files/info.js';

test('a line event: attributes as in events.jsonl (nulls dropped), where it was seen, severity by kind', () => {
  const e: DetectorEvent = {
    timestamp: '2026-11-22T05:00:01.250Z',
    kind: 'dataloader_error',
    stream: 'stderr',
    line_number: 12,
    attributes: { 'dataloader.error_class': 'worker_killed', 'dataloader.signal': 'SIGKILL', 'dataloader.worker_pid': null },
    body: 'RuntimeError: DataLoader worker (pid 4321) is killed by signal: Killed.',
    body_truncated: true,
    source: { namespace: 'ml', pod: 'p-0', pod_uid: 'u1', container: 'c', restart_count: 1, file: '/var/log/pods/ml_p-0_u1/c/1.log', node: 'n1' },
  };
  assert.deepEqual(eventLogRecord(e), {
    eventName: 'duct.dataloader_error',
    timestampMs: Date.parse('2026-11-22T05:00:01.250Z'),
    severityNumber: 17,
    severityText: 'ERROR',
    body: 'RuntimeError: DataLoader worker (pid 4321) is killed by signal: Killed.',
    attributes: {
      'duct.event.kind': 'dataloader_error',
      'dataloader.error_class': 'worker_killed',
      'dataloader.signal': 'SIGKILL',
      'log.iostream': 'stderr',
      'duct.line_number': 12,
      'duct.body_truncated': true,
      'log.file.path': '/var/log/pods/ml_p-0_u1/c/1.log',
      'duct.source.node': 'n1',
    },
  });
  assert.deepEqual(sourceResource(e.source), {
    'k8s.namespace.name': 'ml', 'k8s.pod.name': 'p-0', 'k8s.pod.uid': 'u1', 'k8s.container.name': 'c', 'k8s.container.restart_count': 1,
  });
  assert.deepEqual(sourceResource(undefined), {});
});

test('a verdict: its sentence as body, the verdict object whole under duct.verdict; evidence kinds are WARN', () => {
  const verdict = { pattern_id: 'dataloader_hang', discriminator: 'storage', confidence: 0.8, evidence_trail: [{ kind: 'training_step_stall', timestamp: 't', detail: 'd' }] };
  const e = {
    timestamp: '2026-11-22T05:10:00.000Z', kind: 'verdict',
    attributes: { 'verdict.pattern_id': 'dataloader_hang', 'verdict.discriminator': 'storage', 'verdict.confidence': 0.8 },
    body: 'training stalled: storage', verdict,
  } as unknown as DetectorEvent;
  const r = eventLogRecord(e);
  assert.equal(r.severityText, 'ERROR');
  assert.equal(r.body, 'training stalled: storage');
  assert.deepEqual(r.attributes['duct.verdict'], verdict);
  assert.equal(r.attributes['verdict.confidence'], 0.8);
  const storage = eventLogRecord({ timestamp: '2026-11-22T05:00:00Z', kind: 'storage_event', attributes: { 'k8s.reason': 'FailedMount', 'k8s.object': null } });
  assert.deepEqual([storage.severityText, storage.severityNumber, storage.body, storage.attributes], ['WARN', 13, 'storage_event', { 'duct.event.kind': 'storage_event', 'k8s.reason': 'FailedMount' }]);
});

function info(status: RunInfo['status'], execution_summary: RunInfo['execution_summary'], extra: Partial<RunInfo> = {}): RunInfo {
  return {
    status, exit_code: null, duct_exit_code: null, signal: null, wall_clock_time: null, start_time: '2026-11-22T05:00:00.000Z', end_time: null,
    command: 'python3 train.py', message: '', forcefully_terminated: false, output_paths: { prefix: 'x_' }, detectors: { enabled: true, counts: {}, headline: null },
    execution_summary, ...extra,
  } as unknown as RunInfo;
}

const SUMMARY = {
  proc_rss_total: { unit: 'bytes', peak: 1000, mean: 600 },
  proc_pdcpu_total: { unit: 'percent', peak: 250, mean: 120 },
  proc_cpu_seconds: { unit: 'seconds', total: 42.5 },
} as unknown as RunInfo['execution_summary'];

test('figures while running: wall time from the start, no exit code, finished 0; nothing unmeasured is sent as 0', () => {
  const figures = runFigures(info('running', SUMMARY), Date.parse('2026-11-22T05:00:30.000Z'));
  assert.deepEqual(figures.map((f) => [f.prom, f.value]), [
    ['duct_memory_peak_bytes', 1000],
    ['duct_memory_rss_average_bytes', 600],
    ['duct_cpu_seconds_total', 42.5],
    ['duct_cpu_peak_cores', 2.5],
    ['duct_cpu_average_cores', 1.2],
    ['duct_wall_seconds', 30],
    ['duct_start_time_seconds', Date.parse('2026-11-22T05:00:00.000Z') / 1000],
    ['duct_run_finished', 0],
  ]);
  assert.deepEqual(runFigures(info('running', {} as RunInfo['execution_summary']), Date.parse('2026-11-22T05:00:01Z')).map((f) => f.otel), ['process.uptime', 'duct.run.start_time', 'duct.run.finished']);
});

test('figures at the end: the recorded wall time, the exit status (128 + signal when killed), the headline memory figure', () => {
  const summary = { ...SUMMARY, cgroup_mem_peak: { unit: 'bytes', peak: 5000 } } as unknown as RunInfo['execution_summary'];
  const headline = { mem_peak: { value: 5000, source: 'cgroup_mem_peak', meaning: 'm' }, cpu_peak: null, cpu_seconds: { value: 43, source: 'rusage_cpu_seconds', meaning: 'k' } };
  const figures = runFigures(info('finished', summary, { wall_clock_time: 12.25, signal: 'SIGKILL', duct_exit_code: 137, figures: headline } as Partial<RunInfo>), 0);
  const by = Object.fromEntries(figures.map((f) => [f.otel, f.value]));
  assert.equal(by['process.uptime'], 12.25);
  assert.equal(by['duct.run.exit_code'], 137);
  assert.equal(by['duct.run.finished'], 1);
  // the run's own figures (src/files/run-figures.ts), not the raw RSS peak
  assert.equal(by['duct.memory.peak'], 5000);
  assert.equal(by['process.cpu.time'], 43);
});

test('GPU figures where measured: the run\'s own GPU memory (else the device\'s), mean utilisation as a ratio, the GPU count', () => {
  const gpu = { ...SUMMARY, nvidia_gpu_mem_total: { unit: 'bytes', peak: 9e9 }, nvidia_gpu_mem_used: { unit: 'bytes', peak: 12e9 }, nvidia_gpu_util: { unit: 'percent', peak: 90, mean: 37 }, nvidia_gpu_count: { unit: 'count', peak: 2, mean: 2 } } as unknown as RunInfo['execution_summary'];
  const by = Object.fromEntries(runFigures(info('running', gpu), 0).map((f) => [f.prom, f.value]));
  assert.equal(by['duct_gpu_memory_peak_bytes'], 9e9);
  assert.equal(by['duct_gpu_utilization_ratio'], 0.37);
  assert.equal(by['duct_gpus'], 2);
  const deviceOnly = { ...SUMMARY, nvidia_gpu_mem_used: { unit: 'bytes', peak: 12e9 } } as unknown as RunInfo['execution_summary'];
  assert.equal(runFigures(info('running', deviceOnly), 0).find((f) => f.prom === 'duct_gpu_memory_peak_bytes')?.value, 12e9);
});

test('Prometheus text: HELP, TYPE, the run labels on every series; one file name per job, host and SLURM ids', async () => {
  const labels: Array<[string, string]> = [['job_name', 'train "v2"'], ['host', 'gpu-01'], ['slurm_job_id', '77']];
  const text = await promRegistry(runFigures(info('running', SUMMARY), Date.parse('2026-11-22T05:00:30.000Z')).slice(2, 3), labels).metrics();
  assert.equal(
    text,
    [
      "# HELP duct_cpu_seconds_total CPU seconds (user + system) used by the command's process tree so far.",
      '# TYPE duct_cpu_seconds_total counter',
      'duct_cpu_seconds_total{job_name="train \\"v2\\"",host="gpu-01",slurm_job_id="77"} 42.5',
      '',
    ].join('\n'),
  );
  assert.equal(promFileName(labels), 'duct_train__v2__gpu-01_77.prom');
});

test('a run resource: labels as attributes, the program name, and the command line only when asked for', () => {
  const plan = { labels: [['job_name', 'llm'], ['host', 'n1'], ['slurm_array_task_id', '3']] as Array<[string, string]>, includeCommandLine: false };
  const r = runResource(plan, ['/opt/bin/python3', 'train.py', '--token=x'], "python3 train.py '--token=x'");
  assert.deepEqual(Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'service.version')), {
    'service.name': 'duct', 'host.name': 'n1', 'duct.job.name': 'llm', 'slurm.array.task.id': '3', 'process.executable.name': 'python3',
  });
  assert.equal(runResource({ ...plan, includeCommandLine: true }, ['python3'], 'python3 train.py')['process.command_line'], 'python3 train.py');
});
