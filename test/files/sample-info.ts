import type { CgroupInfo, KeySummary, MeasurementInfo, UsageRecord } from '../../src/aggregation/types.js';
import type { DetectorSummary } from '../../src/detectors/types.js';
import { SCHEMA_VERSION, type OutputPaths, type RunInfo } from '../../src/files/info.js';
import type { SlurmRequest } from '../../src/slurm/request.js';

/*
 * Literal values of every type info.json and usage.jsonl are written from, each with every
 * field its type declares (optional ones too): when a type gains or loses a field this file
 * stops compiling, and the schema tests compare these keys with the schemas'.
 */

/** T's declared fields, all required, without its index signature. */
type Known<T> = { [K in keyof T as string extends K ? never : K]-?: T[K] };

export const outputPaths: Required<OutputPaths> = {
  prefix: 'logs/r_',
  info: 'logs/r_info.json',
  usage: 'logs/r_usage.jsonl',
  events: 'logs/r_events.jsonl',
  stdout: 'logs/r_stdout',
  stderr: null,
};

export const cgroup: Known<CgroupInfo> = {
  version: 'v1',
  memory_path: '/slurm/uid_1000/job_42/step_0/task_0',
  cpu_path: '/slurm/uid_1000/job_42/step_0/task_0',
  memory_limit_bytes: 2147483648000,
  mode: 'reader',
  unavailable_reason: 'not used: a test value',
  membership: 'exclusive',
  foreign_processes: 0,
  foreign_example: null,
};

export const measurements: Required<MeasurementInfo> = {
  selected: ['proc_rss_total', 'proc_pdcpu_total', 'proc_cpu_seconds', 'proc_stat', 'proc_cmd'],
  requested: ['default', 'proc_stat'],
  units: { proc_rss_total: 'bytes', proc_pdcpu_total: 'percent', proc_cpu_seconds: 'seconds', proc_stat: 'state', proc_cmd: 'label' },
  unavailable: { cgroup_mem_peak: 'no cgroup memory controller is mounted at /sys/fs/cgroup' },
  sample_interval: 1,
  report_interval: 60,
  gpu: {
    collector: 'nvidia-smi',
    attribution: ['pid'],
    gpus: [{ index: 0, uuid: 'GPU-5e2a0f3c-1b7d-4c2e-9a61-0d3f8e7b6a21', name: 'NVIDIA H100 80GB HBM3', memory_total_bytes: 85520809984, driver_version: '550.54.15' }],
  },
};

export const keySummary: Required<KeySummary> = { unit: 'bytes', peak: 1, mean: 0.5, total: 2, last: 'x', tally: { S: 1 } };

export const detectors: Known<DetectorSummary> = {
  enabled: true,
  counts: { cuda_oom: 1 },
  headline: 'CUDA out of memory (tried to allocate 2.00 GiB on GPU 0)',
};

export const slurmRequest: Required<SlurmRequest> = {
  job_id: '42',
  mem_bytes: 8589934592,
  mem_source: 'SLURM_MEM_PER_NODE',
  cpus: 4,
  cpus_source: 'SLURM_CPUS_PER_TASK',
  time_limit_seconds: 3600,
  time_source: 'SLURM_TIMELIMIT',
};

export const runInfo: Required<RunInfo> = {
  schema_version: SCHEMA_VERSION,
  duct_version: '0.1.0',
  status: 'finished',
  command: "python train.py --name 'a b'",
  argv: ['python', 'train.py', '--name', 'a b'],
  working_directory: '/home/ada/project',
  mode: 'new-session',
  message: '',
  start_time: '2025-01-31T12:00:00.000Z',
  end_time: '2025-01-31T12:01:30.250+01:00',
  wall_clock_time: 90.25,
  exit_code: 0,
  signal: null,
  duct_exit_code: 0,
  forcefully_terminated: false,
  survivors: [4243],
  pid: 4242,
  duct_pid: 4200,
  boot_id: null,
  system: {
    hostname: 'node042',
    cpu: { model: 'AMD EPYC', logical_cores: 32, physical_cores: 16, speed_ghz: 2.45 },
    memory_total_bytes: 270582939648,
    os: { platform: 'linux', distro: 'Rocky Linux', release: '8.9', kernel: '4.18.0-513.el8.x86_64', arch: 'x64' },
    virtual: false,
    gpus: [{ vendor: 'NVIDIA', model: 'NVIDIA A100-SXM4-40GB', memory_total_bytes: 42949672960, bus_address: '00000000:07:00.0', driver_version: '535.104.05' }],
  },
  environment: { variables: { SLURM_CPUS_PER_TASK: '4', SLURM_JOB_ID: '42', SLURM_MEM_PER_NODE: '8192', SLURM_TIMELIMIT: '60' }, slurm_request: slurmRequest },
  cgroup,
  measurements,
  execution_summary: {
    proc_rss_total: { unit: 'bytes', peak: 2147483648, mean: 1610612736.5 },
    proc_pdcpu_total: { unit: 'percent', peak: 398.5, mean: 250.1 },
    proc_cpu_seconds: { unit: 'seconds', total: 225.7 },
    proc_stat: { unit: 'state', tally: { R: 80, S: 10 } },
    proc_cmd: { unit: 'label', last: 'python train.py' },
  },
  figures: {
    mem_peak: { value: 2147483648, source: 'proc_rss_total', meaning: 'summed RSS: shared pages counted once per process, an upper bound' },
    cpu_peak: { value: 398.5, source: 'proc_pdcpu_total', meaning: 'peak of the CPU rate summed over the tree between samples (100% = one core)' },
    cpu_seconds: { value: 225.7, source: 'proc_cpu_seconds', meaning: "per-process sum between samples: misses CPU after each process's last sample" },
  },
  detectors,
  output_paths: outputPaths,
  warnings: [],
};

export const usageRecord: Required<UsageRecord> = {
  timestamp: '2025-01-31T12:01:00.000+00:00',
  num_samples: 60,
  measurements: {
    proc_rss_total: 2147483648,
    proc_pdcpu_total: 398.5,
    proc_cpu_seconds: 59.2,
    proc_stat: { '4242': { R: 58, S: 2 }, '4243': { S: 60 } },
    proc_cmd: { '4242': 'python train.py', '4243': 'python -c from multiprocessing.spawn import spawn_main' },
  },
};
