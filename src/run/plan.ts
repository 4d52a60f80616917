import { hostname } from 'node:os';
import type { RunOptionValues } from '../config/run-options.js';
import type { DetectorOptions } from '../detectors/index.js';
import { DuctError } from '../errors.js';
import type { OutputPaths } from '../files/info.js';
import type { LogLevel } from './log.js';
import { outputPaths } from './output-paths.js';
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
  detectors: DetectorOptions;
  killGraceSeconds: number;
  /** warnings met while resolving (malformed .env files). */
  warnings: string[];
}

const streams = (v: string) => ({ stdout: v === 'all' || v === 'stdout', stderr: v === 'all' || v === 'stderr' });

export interface PlanContext {
  env: NodeJS.ProcessEnv;
  now: Date;
  pid: number;
  stderrIsTTY: boolean;
  warnings: string[];
}

/** Check option combinations and resolve the plan; every failure is a one-line DuctError. */
export function resolvePlan(o: RunOptionValues, argv: string[], ctx: PlanContext): RunPlan {
  if (argv.length === 0 || argv[0] === '') {
    throw new DuctError('E_USAGE', 'no command given. Usage: duct [OPTIONS] [--] COMMAND [ARGS...]');
  }
  if (o['sample-interval'] <= 0) throw new DuctError('E_OPTION_VALUE', `--sample-interval must be greater than 0 (got ${o['sample-interval']})`);
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
  const summaryFormat = o['summary-format'] === '' ? DEFAULT_SUMMARY_FORMAT : o['summary-format'].replace(/\\n/g, '\n');
  checkSummaryFormat(summaryFormat);
  const measurements = o.measurements.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const prefix = expandPrefix(o['output-prefix'], { now: ctx.now, pid: ctx.pid, hostname: hostname(), env: ctx.env });
  return {
    argv,
    prefixTemplate: o['output-prefix'],
    paths: outputPaths(prefix, streams(o['capture-outputs'])),
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
    colors: o.colors || ctx.stderrIsTTY,
    measurements: measurements.length > 0 ? measurements : ['default'],
    cgroupMode: o.cgroup as RunPlan['cgroupMode'],
    detectors: {
      enabled: o.detectors === 'on',
      hangThresholdSeconds: o['hang-threshold'],
      stepPattern: o['step-pattern'] === '' ? null : o['step-pattern'],
    },
    killGraceSeconds: o['kill-grace'],
    warnings: ctx.warnings,
  };
}
