import type { Unit } from '../../aggregation/types.js';
import { FIGURE_KEYS } from '../run-figures.js';

/**
 * How con-duct 0.2.x fields appear in a RunView: under their own names with a `conduct_`
 * prefix, so none is mistaken for the duct key of a similar name. con-duct's pcpu is ps's
 * %CPU, CPU time over each process's whole lifetime, summed over processes: it is never
 * an interval rate, and the sum can exceed the machine's cores.
 */
export interface ConductField {
  /** name in the RunView (summary or usage values). */
  name: string;
  unit: Unit;
  description: string;
}

const PCPU = "sum over the session's processes of ps %CPU, each CPU time over that process's whole lifetime (not an interval rate; the sum can exceed the cores)";
const RSS = "sum over the session's processes of ps RSS (shared pages counted once per process)";

/** info.json execution_summary field → view field. */
export const CONDUCT_SUMMARY_FIELDS: Record<string, ConductField> = {
  peak_rss: { name: 'conduct_peak_rss', unit: 'bytes', description: `con-duct: largest ${RSS} in one sample` },
  average_rss: { name: 'conduct_average_rss', unit: 'bytes', description: `con-duct: mean over samples of the ${RSS}` },
  peak_vsz: { name: 'conduct_peak_vsz', unit: 'bytes', description: 'con-duct: largest per-sample sum of ps VSZ' },
  average_vsz: { name: 'conduct_average_vsz', unit: 'bytes', description: 'con-duct: mean over samples of the sum of ps VSZ' },
  peak_pmem: { name: 'conduct_peak_pmem', unit: 'percent', description: 'con-duct: largest per-sample sum of ps %MEM' },
  average_pmem: { name: 'conduct_average_pmem', unit: 'percent', description: 'con-duct: mean over samples of the sum of ps %MEM' },
  peak_pcpu: { name: 'conduct_peak_pcpu', unit: 'percent', description: `con-duct: largest per-sample ${PCPU}` },
  average_pcpu: { name: 'conduct_average_pcpu', unit: 'percent', description: `con-duct: mean over samples of the ${PCPU}` },
  num_samples: { name: 'conduct_num_samples', unit: 'count', description: 'con-duct: samples taken' },
  num_reports: { name: 'conduct_num_reports', unit: 'count', description: "con-duct: its num_reports counter" },
};

/** usage.json record fields (totals.X, averages.X) → view field. */
export const CONDUCT_USAGE_FIELDS: Record<string, ConductField> = {
  'totals.rss': { name: 'conduct_totals_rss', unit: 'bytes', description: `con-duct: largest ${RSS} in the window` },
  'totals.vsz': { name: 'conduct_totals_vsz', unit: 'bytes', description: 'con-duct: largest sum of ps VSZ in the window' },
  'totals.pmem': { name: 'conduct_totals_pmem', unit: 'percent', description: 'con-duct: largest sum of ps %MEM in the window' },
  'totals.pcpu': { name: 'conduct_totals_pcpu', unit: 'percent', description: `con-duct: largest ${PCPU}, in the window` },
  'averages.rss': { name: 'conduct_averages_rss', unit: 'bytes', description: `con-duct: mean of the ${RSS} over the window's samples` },
  'averages.vsz': { name: 'conduct_averages_vsz', unit: 'bytes', description: "con-duct: mean of the sum of ps VSZ over the window's samples" },
  'averages.pmem': { name: 'conduct_averages_pmem', unit: 'percent', description: "con-duct: mean of the sum of ps %MEM over the window's samples" },
  'averages.pcpu': { name: 'conduct_averages_pcpu', unit: 'percent', description: `con-duct: mean of the ${PCPU}, over the window's samples` },
  num_samples: { name: 'conduct_num_samples', unit: 'count', description: 'con-duct: samples in the window' },
};

/**
 * The duct keys that hold what a con-duct figure held, best first, and which of the key's
 * statistics it is: summed RSS for peak_rss (never mem_peak, which may be PSS or a cgroup's
 * high-water mark), ps VSZ and %MEM sums, and for pcpu duct's interval CPU rate (con-duct's
 * was ps's lifetime %CPU: the nearest duct figure, not the same one).
 */
export const CONDUCT_DUCT_EQUIVALENTS: Record<string, { keys: readonly string[]; stat: 'peak' | 'mean' }> = {
  peak_rss: { keys: ['proc_rss_total', 'ps_rss_total', 'pidusage_rss_total'], stat: 'peak' },
  average_rss: { keys: ['proc_rss_total', 'ps_rss_total', 'pidusage_rss_total'], stat: 'mean' },
  peak_vsz: { keys: ['ps_vsz_total'], stat: 'peak' },
  average_vsz: { keys: ['ps_vsz_total'], stat: 'mean' },
  peak_pmem: { keys: ['ps_pmem_total'], stat: 'peak' },
  average_pmem: { keys: ['ps_pmem_total'], stat: 'mean' },
  peak_pcpu: { keys: FIGURE_KEYS.cpu_peak, stat: 'peak' },
  average_pcpu: { keys: FIGURE_KEYS.cpu_peak, stat: 'mean' },
};
