/**
 * Contract for one benchmark module under scripts/bench/benchmarks/.
 *
 * A module needs no registration: the runner (scripts/bench/main.ts) imports every
 * dist/scripts/bench/benchmarks/*.js and takes each exported value that is a Benchmark
 * (an object with a string `name` and a `run` function), or an array of them, from
 * `export default` and from named exports alike. One module may export several benchmarks.
 * Names are unique across all modules (snake_case, e.g. "overhead_proc_50_pids").
 */

export interface BenchContext {
  /** repository root. */
  root: string;
  /** path of the built CLI (dist/bin/duct.js, the bundle package.json's bin names). */
  ductBin: string;
  /** a scratch directory for this benchmark, removed afterwards. */
  tmp: string;
  /** how many repeats to take (the runner's --repeats; a benchmark may take fewer if it says so). */
  repeats: number;
  /** --quick: a smoke run; use smaller inputs (the figure need not be gate-quality). */
  quick?: boolean;
  /** progress on stderr when it is a terminal; a no-op otherwise. */
  progress(msg: string): void;
}

export interface BenchOutcome {
  /** the figure gated on: a ratio against the reference measured in the same run, or an absolute figure. */
  figure: number;
  /** each repeat's figure; the reported figure is their median. */
  repeats: number[];
  /** the raw measurements behind the ratio (both sides), for the result file. */
  details?: Record<string, unknown>;
}

export interface Benchmark {
  /** stable id, e.g. "passthrough_ratio". */
  name: string;
  /** one line: what is measured against what. */
  description: string;
  unit: string;
  /** the DESIGN.md target as text, e.g. ">= 0.9". */
  target: string;
  /** true when a larger figure is better (for regression checks). */
  higherIsBetter: boolean;
  /** why it cannot run here (e.g. not root for a cgroup benchmark), or null. */
  unavailable?(): Promise<string | null>;
  run(ctx: BenchContext): Promise<BenchOutcome>;
}
