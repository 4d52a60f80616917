import type { RunView } from '../files/run-view.js';
import { CPU_RATE_KEYS } from './keys.js';
import type { RecommendRun } from './recommend-run.js';
import { slurmRequest, type SlurmRequest } from './request.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The job variables a run recorded: info.json environment.variables (or, as first written, flat in environment). */
export function jobVariables(info: Record<string, unknown>): Record<string, string> {
  const env = isRecord(info.environment) ? info.environment : {};
  const vars = isRecord(env.variables) ? env.variables : env;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) if (typeof v === 'string' && /^(SLURM_|PBS_)/.test(k)) out[k] = v;
  return out;
}

/** The request duct recorded at start (environment.slurm_request), else parsed from the recorded variables. */
export function recordedRequest(info: Record<string, unknown>): SlurmRequest | null {
  const env = isRecord(info.environment) ? info.environment : {};
  const stored = env.slurm_request;
  if (isRecord(stored) && typeof stored.job_id === 'string') return stored as unknown as SlurmRequest;
  return slurmRequest(jobVariables(info));
}

/**
 * The value a run groups under: a RunView summary field (command, message, hostname, ...),
 * or a recorded job variable (SLURM_JOB_NAME, ...); `none` puts every run in one group.
 */
export function groupValue(view: RunView, groupBy: string): string | null {
  if (groupBy === 'none') return 'all runs';
  const v = view.summary[groupBy] ?? jobVariables(view.info)[groupBy];
  return v === undefined || v === null ? null : String(v);
}

/** A duct run's command as con-duct would have recorded it: its argv joined by spaces, unquoted. */
function conductSpelling(view: RunView): string | null {
  const argv = view.info.argv;
  if (view.format !== 'duct' || !Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) return null;
  return argv.join(' ');
}

/** Build recommend's input from a run as the readers see it; reads its usage series for the CPU rates. */
export async function toRecommendRun(view: RunView, groupBy: string): Promise<RecommendRun> {
  const present = CPU_RATE_KEYS.filter((k) => typeof view.summary[k] === 'number');
  const cpu_windows: Record<string, number[]> = {};
  if (present.length > 0) {
    const points = await view.usage();
    for (const k of present) cpu_windows[k] = points.map((p) => p.values[k]).filter((v): v is number => typeof v === 'number');
  }
  return {
    prefix: view.prefix,
    group: groupValue(view, groupBy) ?? `(no ${groupBy})`,
    ...(groupBy === 'command' && conductSpelling(view) !== null ? { group_key: conductSpelling(view)! } : {}),
    finished: view.summary.status !== 'running',
    summary: view.summary,
    request: recordedRequest(view.info),
    cpu_windows,
  };
}
