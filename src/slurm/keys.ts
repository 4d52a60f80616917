import type { MeasurementKey } from '../aggregation/catalogue.js';
import { FIGURE_KEYS } from '../files/run-figures.js';

/**
 * Which recorded keys `recommend` sizes from, best first: the run figures' own lists
 * (src/files/run-figures.ts), so `recommend` and `ls` can never take different keys.
 * A cgroup key counts only for a run whose cgroup held it alone (eligibleKeys).
 */

/** The job-level cgroup peak (v1: walked up to job_J), shown beside the step's for comparison. */
export const JOB_MEMORY_KEY = 'cgroup_job_mem_peak' satisfies MeasurementKey;

/**
 * Total CPU rate of the process tree, percent (100 = one core), per usage window.
 * con-duct's pcpu is a lifetime average, never a rate, so it is not here.
 */
export const CPU_RATE_KEYS = FIGURE_KEYS.cpu_peak;

/** CPU seconds totals, for the mean cores a run used (waste). */
export const CPU_SECONDS_KEYS = FIGURE_KEYS.cpu_seconds;
