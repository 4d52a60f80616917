import type { CgroupInfo, ExecutionSummary, MeasurementInfo } from '../aggregation/types.js';
import type { DetectorSummary } from '../detectors/types.js';
import type { RunFigures } from './run-figures.js';

/** Version of the shape of the files duct writes; bumped with every change to schema/. */
export const SCHEMA_VERSION = '1.3.0';

export interface OutputPaths {
  prefix: string;
  info: string;
  usage: string;
  events: string;
  /** null when not captured. */
  stdout: string | null;
  stderr: string | null;
}

/** <prefix>info.json, written atomically at start (status running) and at the end. */
export interface RunInfo {
  schema_version: string;
  duct_version: string;
  status: 'running' | 'finished';
  /** the command line as a shell would display it (quoted), for people. */
  command: string;
  /** the exact argv executed (argv[0] is the command word). */
  argv: string[];
  working_directory: string;
  mode: 'new-session' | 'current-session';
  message: string;
  /** ISO 8601 with offset. */
  start_time: string;
  end_time: string | null;
  /** seconds from spawn to exit. */
  wall_clock_time: number | null;
  /** exit status, or null when the command died of a signal (then `signal` is set). */
  exit_code: number | null;
  /** e.g. "SIGKILL" when killed by a signal. */
  signal: string | null;
  /** exit status duct itself returns: exit_code, or 128 + signal number. */
  duct_exit_code: number | null;
  /** true when duct escalated to SIGKILL after a forwarded signal. */
  forcefully_terminated: boolean;
  /** pids of the session still alive when the command exited (left running). */
  survivors: number[];
  pid: number | null;
  duct_pid: number;
  /** the kernel's boot id at start (null where there is none): with the hostname, whether duct_pid can still be alive. */
  boot_id: string | null;
  /** system block (src/files/system-info.ts), or the reason it is missing. */
  system: Record<string, unknown>;
  /** SLURM / PBS environment of the job. */
  environment: Record<string, unknown>;
  cgroup: CgroupInfo | null;
  measurements: MeasurementInfo;
  execution_summary: ExecutionSummary;
  /** the headline figures (run-figures.ts) with the key each came from and what it means; null where not measured. */
  figures: RunFigures;
  detectors: DetectorSummary;
  output_paths: OutputPaths;
  /** problems duct met while running (an output write failure, ...), one sentence each. */
  warnings: string[];
}
