import { wantColors } from '../config/colors.js';
import { hostname } from 'node:os';
import type { RunOptionValues } from '../config/run-options.js';
import type { DetectorOptions } from '../detectors/index.js';
import { DuctError } from '../errors.js';
import { resolveExportPlan, type ExportPlan } from '../export/plan.js';
import type { OutputPaths } from '../files/info.js';
import type { LogLevel } from './log.js';
import { checkPathLimits, outputPaths } from './output-paths.js';
import { expandPrefix } from './prefix.js';
import { checkSummaryFormat, DEFAULT_SUMMARY_FORMAT } from './summary-format.js';

/** Everything `duct run` will do, resolved from options before anything starts; printable. */
export interface RunPlan {
  argv: string[];
  prefixTemplate: string;
  paths: OutputPaths;
  sampleIntervalSeconds: number;
  reportIntervalSeconds: number;
  failTimeSeconds: number;
  clobber: boolean;
  passthrough: { stdout: boolean; stderr: boolean };
  recordInfo: boolean;
  recordUsage: boolean;
  message: string;
  mode: 'new-session' | 'current-session';
  logLevel: LogLevel;
  summaryFormat: string;
  colors: boolean;
  measurements: string[];
  cgroupMode: 'reader' | 'isolate';
  /** --memory-limit in bytes (isolate cgroup only), null when none. */
  memoryLimitBytes: number | null;
  detectors: DetectorOptions;
  killGraceSeconds: number;
  /** exports to OTLP / Prometheus; null when none (then nothing of src/export beyond its plan is loaded). */
  export: ExportPlan | null;
  /** warnings met while resolving (malformed .env files). */
  warnings: string[];
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** `--memory-limit`: bytes, or a number with a KiB/MiB/GiB suffix (1024-based); '' means none. */
export function parseMemoryLimit(text: string, cgroupMode: string): number | null {
  if (text.trim() === '') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : 0;
  if (bytes <= 0) throw new DuctError('E_OPTION_VALUE', `invalid --memory-limit '${text}': give bytes or a number with KiB, MiB or GiB, e.g. 512MiB`);
  if (cgroupMode !== 'isolate') {
    throw new DuctError('E_OPTION_VALUE', `--memory-limit ${text} needs --cgroup isolate: the limit is set on the command's own cgroup`);
  }
  return bytes;
}

const streams = (v: string) => ({ stdout: v === 'all' || v === 'stdout', stderr: v === 'all' || v === 'stderr' });

export interface PlanContext {
  env: NodeJS.ProcessEnv;
  /** --colors/--no-colors/DUCT_COLORS as given (from any source), undefined when none was. */
  colorsChoice?: boolean;
  now: Date;
  pid: number;
  stderrIsTTY: boolean;
  warnings: string[];
}

/** Check option combinations and resolve the plan; every failure is a one-line DuctError. */
/** Node's timers count whole milliseconds. */
const MIN_SAMPLE_INTERVAL_SECONDS = 0.001;
/** The longest a Node timer waits (2^31 - 1 ms): a longer one fires after 1 ms instead. */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

export function resolvePlan(o: RunOptionValues, argv: string[], ctx: PlanContext): RunPlan {
  if (argv.length === 0 || argv[0] === '') {
    throw new DuctError('E_USAGE', 'no command given. Usage: duct [OPTIONS] [--] COMMAND [ARGS...]');
  }
  if (o['sample-interval'] <= 0) throw new DuctError('E_OPTION_VALUE', `--sample-interval must be greater than 0 (got ${o['sample-interval']})`);
  for (const name of ['sample-interval', 'report-interval', 'kill-grace'] as const) {
    if (o[name] > MAX_TIMER_SECONDS) throw new DuctError('E_OPTION_VALUE', `--${name} must be at most ${MAX_TIMER_SECONDS} seconds (about 24 days; got ${o[name]})`);
  }
  if (o['sample-interval'] < MIN_SAMPLE_INTERVAL_SECONDS) {
    throw new DuctError('E_OPTION_VALUE', `--sample-interval must be at least ${MIN_SAMPLE_INTERVAL_SECONDS} seconds, the resolution of the timers duct samples with (got ${o['sample-interval']})`);
  }
  if (o['report-interval'] < o['sample-interval']) {
    throw new DuctError(
      'E_OPTION_VALUE',
      `--report-interval (${o['report-interval']}) must be greater than or equal to --sample-interval (${o['sample-interval']})`,
    );
  }
  if (o['kill-grace'] < 0) throw new DuctError('E_OPTION_VALUE', `--kill-grace must be 0 or more seconds (got ${o['kill-grace']})`);
  if (o['hang-threshold'] <= 0) throw new DuctError('E_OPTION_VALUE', `--hang-threshold must be greater than 0 (got ${o['hang-threshold']})`);
  if (o['step-pattern'] !== '') {
    try {
      new RegExp(o['step-pattern']);
    } catch (err) {
      throw new DuctError('E_OPTION_VALUE', `invalid --step-pattern '${o['step-pattern']}': ${(err as Error).message}`);
    }
  }
  const custom = o['summary-format'].replace(/\\n/g, '\n');
  // a custom summary ends its line like the default, so the shell prompt starts on a new one
  const summaryFormat = o['summary-format'] === '' ? DEFAULT_SUMMARY_FORMAT : custom.endsWith('\n') ? custom : `${custom}\n`;
  checkSummaryFormat(summaryFormat);
  const measurements = o.measurements.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const memoryLimitBytes = parseMemoryLimit(o['memory-limit'], o.cgroup);
  const exportPlan = resolveExportPlan(o, { env: ctx.env, host: hostname(), argv });
  const prefix = expandPrefix(o['output-prefix'], { now: ctx.now, pid: ctx.pid, hostname: hostname(), env: ctx.env });
  const paths = outputPaths(prefix, streams(o['capture-outputs']));
  checkPathLimits(paths);
  return {
    argv,
    prefixTemplate: o['output-prefix'],
    paths,
    sampleIntervalSeconds: o['sample-interval'],
    reportIntervalSeconds: o['report-interval'],
    failTimeSeconds: o['fail-time'],
    clobber: o.clobber,
    passthrough: streams(o.outputs),
    recordInfo: o['record-types'] !== 'processes-samples',
    recordUsage: o['record-types'] !== 'system-summary',
    message: o.message,
    mode: o.mode as RunPlan['mode'],
    logLevel: o.quiet ? 'NONE' : (o['log-level'] as LogLevel),
    summaryFormat,
    colors: wantColors(ctx.colorsChoice ?? (o.colors ? true : undefined), ctx.env, ctx.stderrIsTTY),
    measurements: measurements.length > 0 ? measurements : ['default'],
    cgroupMode: o.cgroup as RunPlan['cgroupMode'],
    memoryLimitBytes,
    detectors: {
      enabled: o.detectors === 'on',
      hangThresholdSeconds: o['hang-threshold'],
      stepPattern: o['step-pattern'] === '' ? null : o['step-pattern'],
    },
    killGraceSeconds: o['kill-grace'],
    export: exportPlan,
    warnings: [...ctx.warnings, ...(exportPlan?.warnings ?? [])],
  };
}
