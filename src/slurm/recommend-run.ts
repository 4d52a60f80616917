import type { SlurmRequest } from './request.js';

/** One past run as recommend needs it (built from a RunView by the CLI). */
export interface RecommendRun {
  prefix: string;
  /** the value of the --group-by field for this run ('' when it has none). */
  group: string;
  /**
   * what runs of one group share, when not `group` itself: with --group-by command, the
   * words of the command joined by spaces, as con-duct recorded it (`sh -c echo hi`), so a
   * con-duct run and a duct run of one command (`sh -c 'echo hi'`) group together.
   */
  group_key?: string;
  /** false while the run is still going (its figures are not final). */
  finished: boolean;
  /** RunView.summary: key → run peak (gauges, rates) or total (counters), plus wall_clock_time. */
  summary: Record<string, number | string | null>;
  /** the SLURM request the run was made under, when it ran in a job. */
  request: SlurmRequest | null;
  /** per CPU rate key, its value in each usage window (percent); may be empty. */
  cpu_windows: Record<string, number[]>;
}
