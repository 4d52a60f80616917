import type { CollectorName } from '../collectors/types.js';
import type { CostClass, Measurement } from './measurement.js';
import type { Unit } from './types.js';

type Extra = Partial<Pick<Measurement, 'cadence' | 'collapse' | 'rateMinSpanSeconds' | 'groupField'>>;

const costOf: Record<CollectorName, CostClass> = { ps: 'fork', proc: 'low', cgroup: 'low', pidusage: 'low', rusage: 'low', nvidia: 'low', drm: 'grows-with-fds' };

// each helper keeps its key's literal type, so MeasurementKey below is the union of the catalogue's names
function gauge<K extends string>(key: K, collector: CollectorName, field: string, scope: 'per_pid' | 'single', unit: Unit, description: string, extra: Extra = {}, reduce: 'max' | 'last' = 'max'): Measurement<K> {
  return { key, collector, field, scope, kind: 'gauge', reduce, unit, description, cost: costOf[collector], ...extra };
}
function rate<K extends string>(key: K, collector: CollectorName, field: string, scope: 'per_pid' | 'single', unit: Unit, rateScale: number, description: string, extra: Extra = {}): Measurement<K> {
  return { key, collector, field, scope, kind: 'counter', derive: 'rate', rateScale, reduce: 'max', unit, description, cost: costOf[collector], ...extra };
}

/** ps prints CPU time in whole seconds (Linux): its rates are taken over spans of at least this long (one second is then at most 10%). */
export const PS_RATE_MIN_SPAN_SECONDS = 10;
function pidDeltas<K extends string>(key: K, collector: CollectorName, field: string, unit: Unit, description: string): Measurement<K> {
  return { key, collector, field, scope: 'single', kind: 'counter', reduce: 'sum_pid_deltas', unit, description, cost: costOf[collector] };
}
function groupDelta<K extends string>(key: K, collector: CollectorName, field: string, unit: Unit, description: string, extra: Extra = {}): Measurement<K> {
  return { key, collector, field, scope: 'single', kind: 'counter', reduce: 'delta', unit, description, cost: costOf[collector], ...extra };
}
function label<K extends string>(key: K, collector: CollectorName, field: string, description: string): Measurement<K> {
  return { key, collector, field, scope: 'per_pid', kind: 'label', reduce: 'last', unit: 'label', description, cost: costOf[collector] };
}
function tally<K extends string>(key: K, collector: CollectorName, field: string, description: string): Measurement<K> {
  return { key, collector, field, scope: 'per_pid', kind: 'categorical', reduce: 'tally', unit: 'state', description, cost: costOf[collector] };
}
function nproc<K extends string>(key: K, collector: CollectorName): Measurement<K> {
  return gauge(key, collector, ELAPSED, 'single', 'count', 'number of live processes of the run in a sample; max over the window', { collapse: 'count' });
}
const ELAPSED = 'elapsed';

/** Every measurement duct knows, in catalogue order (the order of usage.jsonl keys and of help). */
export const CATALOGUE = [
  // ps: one `ps` call per sample (POSIX)
  gauge('ps_rss', 'ps', 'rss', 'per_pid', 'bytes', 'resident set size of each process (ps rss); max over the window'),
  gauge('ps_rss_total', 'ps', 'rss', 'single', 'bytes', 'sum of the processes\' RSS in a sample (counts shared pages once per process); max over the window'),
  gauge('ps_vsz', 'ps', 'vsz', 'per_pid', 'bytes', 'virtual memory size of each process; max over the window'),
  gauge('ps_vsz_total', 'ps', 'vsz', 'single', 'bytes', 'sum of the processes\' virtual sizes in a sample; max over the window'),
  gauge('ps_pmem', 'ps', 'pmem', 'per_pid', 'percent', 'ps %mem of each process (RSS / physical memory); max over the window'),
  gauge('ps_pmem_total', 'ps', 'pmem', 'single', 'percent', 'sum of the processes\' %mem in a sample; max over the window'),
  rate('ps_pdcpu', 'ps', 'cputime', 'per_pid', 'percent', 100, 'CPU rate of each process from ps cputime over spans of 10-20 s (ps prints whole seconds on Linux, so one second is at most 10%; 100 = one core); max over the window', { rateMinSpanSeconds: PS_RATE_MIN_SPAN_SECONDS }),
  rate('ps_pdcpu_total', 'ps', 'cputime', 'single', 'percent', 100, 'sum of the processes\' CPU rates (ps_pdcpu, over spans of 10-20 s) in a sample; max over the window', { rateMinSpanSeconds: PS_RATE_MIN_SPAN_SECONDS }),
  pidDeltas('ps_cpu_seconds', 'ps', 'cputime', 'seconds', 'CPU seconds used in the window: per process last − previous, summed (exited processes still count)'),
  gauge('ps_etime', 'ps', 'etime', 'per_pid', 'seconds', 'elapsed time since each process started; last in the window', {}, 'last'),
  tally('ps_stat', 'ps', 'state', 'count of samples per ps STAT code, per process'),
  label('ps_cmd', 'ps', 'cmd', 'command line of each process (ps args)'),
  nproc('ps_nproc', 'ps'),
  // proc: /proc read directly (Linux), no fork
  gauge('proc_rss', 'proc', 'rss', 'per_pid', 'bytes', 'resident set size of each process (/proc/<pid>/stat); max over the window'),
  gauge('proc_rss_total', 'proc', 'rss', 'single', 'bytes', 'sum of the processes\' RSS in a sample (shared pages counted once per process); max over the window'),
  // smaps_rollup costs more the more a process maps: read like VmHWM, when a process faulted (how its RSS grows), and every live one at each report
  { ...gauge('proc_pss', 'proc', 'pss', 'per_pid', 'bytes', 'proportional set size of each process (smaps_rollup: shared pages split among their users), read when its page-fault count moved and at each report; max over the window', { cadence: 'faulted' }), cost: 'grows-with-memory' },
  { ...gauge('proc_pss_total', 'proc', 'pss', 'single', 'bytes', 'sum of PSS in a sample (each process\'s latest reading): the tree\'s real memory footprint, shared pages counted once; max over the window', { cadence: 'faulted' }), cost: 'grows-with-memory' },
  { ...gauge('proc_uss', 'proc', 'uss', 'per_pid', 'bytes', 'unique set size of each process (its private pages, smaps_rollup), read when its page-fault count moved and at each report; max over the window', { cadence: 'faulted' }), cost: 'grows-with-memory' },
  { ...gauge('proc_uss_total', 'proc', 'uss', 'single', 'bytes', 'sum of USS in a sample (each process\'s latest reading); max over the window', { cadence: 'faulted' }), cost: 'grows-with-memory' },
  // read when a pid's page-fault count moved (and at each report), not every sample: status costs more than stat to generate
  gauge('proc_hwm', 'proc', 'hwm', 'per_pid', 'bytes', 'VmHWM: the kernel\'s peak RSS of each process since it started, catches spikes between samples; max over the window', { cadence: 'faulted' }),
  rate('proc_pdcpu', 'proc', 'cputime', 'per_pid', 'percent', 100, 'CPU rate of each process between samples, from utime+stime (clock-tick resolution; 100 = one core); max over the window'),
  rate('proc_pdcpu_total', 'proc', 'cputime', 'single', 'percent', 100, 'sum of the processes\' CPU rates in a sample; max over the window'),
  pidDeltas('proc_cpu_seconds', 'proc', 'cputime', 'seconds', 'CPU seconds used in the window: per process last − previous, summed (exited processes still count)'),
  pidDeltas('proc_io_read_bytes', 'proc', 'io_read', 'bytes', 'bytes read from storage in the window (/proc/<pid>/io read_bytes), summed over processes'),
  pidDeltas('proc_io_write_bytes', 'proc', 'io_write', 'bytes', 'bytes written to storage in the window (/proc/<pid>/io write_bytes), summed over processes'),
  rate('proc_io_read_rate', 'proc', 'io_read', 'single', 'bytes/s', 1, 'storage read rate summed over processes; max over the window'),
  rate('proc_io_write_rate', 'proc', 'io_write', 'single', 'bytes/s', 1, 'storage write rate summed over processes; max over the window'),
  { ...label('proc_cmd', 'proc', 'cmd', 'command line of each process (/proc/<pid>/cmdline), read when a process is first seen and at each report'), cadence: 'new-pids' },
  tally('proc_stat', 'proc', 'state', 'count of samples per state letter (R, S, D, Z, ...), per process'),
  nproc('proc_nproc', 'proc'),
  // cgroup: the kernel's own counters of the group (v1, v2, hybrid)
  gauge('cgroup_mem_peak', 'cgroup', 'mem_peak', 'single', 'bytes', 'the cgroup\'s memory high-water mark (v2 memory.peak, v1 memory.max_usage_in_bytes; includes page cache); read once per report', { cadence: 'report' }),
  gauge('cgroup_mem_current', 'cgroup', 'mem_current', 'single', 'bytes', 'the cgroup\'s memory use now (v2 memory.current, v1 memory.usage_in_bytes; includes page cache); max over the window'),
  groupDelta('cgroup_cpu_seconds', 'cgroup', 'cpu_usage', 'seconds', 'CPU seconds the cgroup used in the window (v2 cpu.stat usage_usec, v1 cpuacct.usage)'),
  groupDelta('cgroup_oom_kills', 'cgroup', 'oom_kills', 'count', 'processes the kernel OOM killer killed in the cgroup in the window (memory.events / memory.oom_control oom_kill)'),
  gauge('cgroup_job_mem_peak', 'cgroup', 'job_mem_peak', 'single', 'bytes', 'memory high-water mark of the SLURM job cgroup (job_<id>) above duct\'s; read once per report', { cadence: 'report' }),
  // rusage: what the kernel counted for the command's tree as duct reaped it
  groupDelta('rusage_cpu_seconds', 'rusage', 'children_cpu', 'seconds', 'CPU seconds of the command and every descendant it waited for, as the kernel counts them when duct reaps the command (duct\'s RUSAGE_CHILDREN: /proc/self/stat cutime+cstime, read before the spawn and at the exit; exact to a clock tick, CPU after the last sample included); processes re-parented away from the tree are not in it', { cadence: 'report' }),
  // pidusage: the portable collector
  gauge('pidusage_rss', 'pidusage', 'rss', 'per_pid', 'bytes', 'resident set size of each process (pidusage memory); max over the window'),
  gauge('pidusage_rss_total', 'pidusage', 'rss', 'single', 'bytes', 'sum of the processes\' RSS in a sample; max over the window'),
  rate('pidusage_pdcpu', 'pidusage', 'cputime', 'per_pid', 'percent', 100, 'CPU rate of each process between samples from pidusage\'s raw ctime; max over the window'),
  rate('pidusage_pdcpu_total', 'pidusage', 'cputime', 'single', 'percent', 100, 'sum of the processes\' CPU rates in a sample; max over the window'),
  // nvidia: the latest snapshot of two long-lived `nvidia-smi -lms` children (no process per sample)
  gauge('nvidia_gpu_mem', 'nvidia', 'gpu_mem', 'per_pid', 'bytes', 'GPU memory each of the run\'s processes holds, over every GPU it uses (nvidia-smi --query-compute-apps used_memory; the run\'s pids only); max over the window'),
  gauge('nvidia_gpu_mem_total', 'nvidia', 'gpu_mem_total', 'single', 'bytes', 'sum of the run\'s processes\' GPU memory in a sample (absent where pids could not be matched); max over the window', { groupField: true }),
  gauge('nvidia_gpu_util', 'nvidia', 'gpu_util', 'single', 'percent', 'utilisation of the GPUs the run uses (nvidia-smi utilization.gpu: the share of time a kernel ran), averaged over those GPUs in a sample; max over the window (the run\'s mean is in execution_summary)', { groupField: true }),
  gauge('nvidia_gpu_mem_used', 'nvidia', 'gpu_mem_used', 'single', 'bytes', 'device memory used on the GPUs the run uses, by every process on them (nvidia-smi memory.used), summed over those GPUs; max over the window', { groupField: true }),
  gauge('nvidia_gpu_count', 'nvidia', 'gpu_count', 'single', 'count', 'GPUs the run uses in a sample: those where one of its processes computes, or (pids not visible) those of CUDA_VISIBLE_DEVICES / NVIDIA_VISIBLE_DEVICES / SLURM_STEP_GPUS / SLURM_JOB_GPUS holding a compute process; max over the window', { groupField: true }),
  // drm: the kernel's DRM client stats in /proc/<pid>/fdinfo (AMD, Intel), no process run
  gauge('drm_vram', 'drm', 'vram', 'per_pid', 'bytes', 'device-local GPU memory of each process\'s DRM clients (fdinfo drm-total-vram*/local*, else drm-memory-*; each client once); max over the window'),
  gauge('drm_vram_total', 'drm', 'vram', 'single', 'bytes', 'sum of the processes\' device-local GPU memory in a sample; max over the window'),
  rate('drm_engine_busy', 'drm', 'engine_ns', 'single', 'percent', 1e-7, 'GPU engine busy rate summed over the processes\' DRM clients and engines (fdinfo drm-engine-*, ns; 100 = one engine busy); max over the window'),
] as const satisfies readonly Measurement[];

/** The name of a measurement of the catalogue: a misspelt key does not compile. */
export type MeasurementKey = (typeof CATALOGUE)[number]['key'];

export const BY_KEY: ReadonlyMap<string, Measurement> = new Map(CATALOGUE.map((m) => [m.key, m]));

/** The catalogue's declaration of a key. */
export function measurementOf(key: MeasurementKey): Measurement {
  return BY_KEY.get(key)!;
}

export const PRESET_NAMES = ['default', 'all', 'ps', 'memory', 'cpu', 'gpu'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const PROC_DEFAULT: MeasurementKey[] = ['proc_rss', 'proc_rss_total', 'proc_pss_total', 'proc_hwm', 'proc_pdcpu', 'proc_pdcpu_total', 'proc_cpu_seconds', 'proc_cmd', 'proc_stat', 'proc_nproc'];
const PS_DEFAULT: MeasurementKey[] = ['ps_rss', 'ps_rss_total', 'ps_pdcpu', 'ps_pdcpu_total', 'ps_cpu_seconds', 'ps_cmd', 'ps_stat', 'ps_nproc'];
const GPU_ALL: MeasurementKey[] = ['nvidia_gpu_mem', 'nvidia_gpu_mem_total', 'nvidia_gpu_util', 'nvidia_gpu_mem_used', 'nvidia_gpu_count'];
const CGROUP_ALL: MeasurementKey[] = ['cgroup_mem_peak', 'cgroup_mem_current', 'cgroup_cpu_seconds', 'cgroup_oom_kills', 'cgroup_job_mem_peak'];

/**
 * A preset's keys given what is available here. Presets take only available
 * keys (an explicit key must be available); where /proc is absent the proc
 * keys fall back to their ps counterparts.
 */
export function expandPreset(name: PresetName, isAvailable: (key: string) => boolean): MeasurementKey[] {
  const procHere = isAvailable('proc_rss');
  const pick = (keys: MeasurementKey[]): MeasurementKey[] => keys.filter(isAvailable);
  switch (name) {
    case 'all':
      return CATALOGUE.map((m) => m.key).filter(isAvailable);
    case 'default':
      // the GPU keys are available only where a GPU is visible (see src/collectors/nvidia.ts)
      return pick([...(procHere ? PROC_DEFAULT : PS_DEFAULT), ...CGROUP_ALL, 'rusage_cpu_seconds', ...GPU_ALL]);
    case 'ps':
      return pick(CATALOGUE.filter((m) => m.collector === 'ps').map((m) => m.key));
    case 'memory':
      return pick([
        ...(procHere ? (['proc_rss', 'proc_rss_total', 'proc_pss_total', 'proc_uss_total', 'proc_hwm'] as const) : (['ps_rss', 'ps_rss_total'] as const)),
        'cgroup_mem_peak',
        'cgroup_mem_current',
        'cgroup_job_mem_peak',
        'cgroup_oom_kills',
      ]);
    case 'cpu':
      return pick([...(procHere ? (['proc_pdcpu', 'proc_pdcpu_total', 'proc_cpu_seconds', 'rusage_cpu_seconds'] as const) : (['ps_pdcpu', 'ps_pdcpu_total', 'ps_cpu_seconds'] as const)), 'cgroup_cpu_seconds']);
    case 'gpu':
      return pick([...GPU_ALL, 'drm_vram', 'drm_vram_total', 'drm_engine_busy']);
  }
}
