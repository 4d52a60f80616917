import type { MeasurementKey } from '../aggregation/catalogue.js';

/**
 * The run's headline figures — its memory peak, CPU peak and CPU seconds — as the
 * summary, `ls`, `recommend`, `plot` and `pp` all show them: one definition, so no
 * two views can disagree. Each figure names the key it came from and what that key
 * means, because the same number means different things from different sources.
 */

/** A con-duct 0.2 run's legacy summary name (read by files/legacy), never a duct key. */
export type LegacyKey = 'conduct_peak_rss';

/**
 * What the run's cgroup figures are worth: `isolate` (duct made the group for the command),
 * `exclusive` (reader mode, and the group held only the run at start and at every report),
 * `shared` (other processes were seen in it), `unverified` (older runs, or not checked).
 */
export type CgroupScope = 'isolate' | 'exclusive' | 'shared' | 'unverified';

/** Each figure's candidate keys, best first. A cgroup key counts only from a cgroup that holds the run alone. */
export const FIGURE_KEYS = {
  // never a per-process key: a single process's peak is not the tree's
  mem_peak: ['cgroup_mem_peak', 'proc_pss_total', 'proc_rss_total', 'ps_rss_total', 'pidusage_rss_total'],
  cpu_peak: ['proc_pdcpu_total', 'ps_pdcpu_total', 'pidusage_pdcpu_total'],
  // the kernel's count for the reaped tree first; a per-process sum misses CPU after each process's last sample
  cpu_seconds: ['rusage_cpu_seconds', 'proc_cpu_seconds', 'ps_cpu_seconds', 'cgroup_cpu_seconds'],
} as const satisfies Record<string, readonly MeasurementKey[]>;

export type FigureName = keyof typeof FIGURE_KEYS;
export type FigureSource = (typeof FIGURE_KEYS)[FigureName][number] | LegacyKey;

/** What a figure from each source means, in the words a person reads beside the number. */
export const SOURCE_MEANING: Record<FigureSource, string> = {
  cgroup_mem_peak: 'cgroup high-water mark of a cgroup holding the run alone; includes page cache',
  proc_pss_total: 'PSS summed over the tree: shared pages split among their users',
  proc_rss_total: 'summed RSS: shared pages counted once per process, an upper bound',
  ps_rss_total: 'summed RSS from ps: shared pages counted once per process, an upper bound',
  pidusage_rss_total: 'summed RSS from pidusage: shared pages counted once per process, an upper bound',
  conduct_peak_rss: "con-duct's summed RSS: shared pages counted once per process, an upper bound",
  proc_pdcpu_total: 'peak of the CPU rate summed over the tree between samples (100% = one core)',
  ps_pdcpu_total: 'peak of the CPU rate summed over the tree between samples, from ps (100% = one core)',
  pidusage_pdcpu_total: 'peak of the CPU rate summed over the tree between samples, from pidusage (100% = one core)',
  rusage_cpu_seconds: 'the kernel\'s count for the command\'s reaped tree',
  proc_cpu_seconds: 'per-process sum between samples: misses CPU after each process\'s last sample',
  ps_cpu_seconds: 'per-process sum from ps (whole seconds per process)',
  cgroup_cpu_seconds: 'CPU accounting of a cgroup holding the run alone',
};

/** One figure: the value, the key it came from, and what it means. */
export interface Figure {
  value: number;
  source: FigureSource;
  meaning: string;
}

export type RunFigures = Record<FigureName, Figure | null>;

/** The flat view of a run that figures are read from (RunSummary.summary: a key's peak or total under its name). */
export type FlatSummary = Readonly<Record<string, number | string | null | undefined>>;

/** Where the cgroup figures of a run may be used as the run's own. */
export function cgroupIsTheRuns(summary: FlatSummary): boolean {
  return summary['cgroup_scope'] === 'isolate' || summary['cgroup_scope'] === 'exclusive';
}

/** The candidate keys of a figure this run may take its value from, best first (what `recommend` chooses among). */
export function eligibleKeys(name: FigureName, summary: FlatSummary): FigureSource[] {
  const keys: FigureSource[] = [...FIGURE_KEYS[name]];
  if (name === 'mem_peak') keys.push('conduct_peak_rss');
  return cgroupIsTheRuns(summary) ? keys : keys.filter((k) => !k.startsWith('cgroup_'));
}

/** The figure of one name: the first eligible key the run has a number for. */
export function runFigure(name: FigureName, summary: FlatSummary): Figure | null {
  for (const source of eligibleKeys(name, summary)) {
    const value = summary[source];
    if (typeof value === 'number' && Number.isFinite(value)) return { value, source, meaning: SOURCE_MEANING[source] };
  }
  return null;
}

/** Every headline figure of a run. */
export function runFigures(summary: FlatSummary): RunFigures {
  return { mem_peak: runFigure('mem_peak', summary), cpu_peak: runFigure('cpu_peak', summary), cpu_seconds: runFigure('cpu_seconds', summary) };
}
