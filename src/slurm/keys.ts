/**
 * Which recorded keys `recommend` sizes from, best first. Each list names keys whose
 * meaning fits the question; a key missing from a run is simply not a candidate.
 */

/**
 * Memory: the cgroup's kernel high-water mark is what SLURM's limit is enforced on;
 * then PSS (no double-counted shared pages), then summed RSS from each collector,
 * then con-duct's legacy peak_rss.
 */
export const MEMORY_KEYS = [
  'cgroup_mem_peak',
  'proc_pss_total',
  'proc_rss_total',
  'pidusage_rss_total',
  'ps_rss_total',
  'conduct_peak_rss',
] as const;

/** The job-level cgroup peak (v1: walked up to job_J), shown beside the step's for comparison. */
export const JOB_MEMORY_KEY = 'cgroup_job_mem_peak';

/**
 * Total CPU rate of the process tree, percent (100 = one core), per usage window.
 * con-duct's pcpu is a lifetime average, never a rate, so it is not here.
 */
export const CPU_RATE_KEYS = ['proc_pdcpu_total', 'ps_pdcpu_total', 'pidusage_pdcpu_total'] as const;

/** CPU seconds totals, for the mean cores a run used (waste). cgroup last: on v1 its cpuacct group may be the whole machine. */
export const CPU_SECONDS_KEYS = ['proc_cpu_seconds', 'ps_cpu_seconds', 'cgroup_cpu_seconds'] as const;
