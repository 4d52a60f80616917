import { accessSync, constants, statSync } from 'node:fs';
import { basename } from 'node:path';
import { DuctError } from '../errors.js';

/**
 * What to export and where, resolved from options and the standard OTEL_* variables before the
 * run starts. Cheap and dependency-free: it is loaded at every start, the exporters only when used.
 */

export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type OtlpSignal = 'logs' | 'metrics';

export interface OtlpSignalPlan {
  /** full URL the requests go to (…/v1/logs or …/v1/metrics unless a per-signal endpoint names it). */
  url: string;
  protocol: OtlpProtocol;
  /** bound on one export (retries included), ms: the smaller of OTEL_EXPORTER_OTLP_*TIMEOUT and --export-timeout. */
  timeoutMs: number;
}

export interface ExportPlan {
  otlp: { [S in OtlpSignal]: OtlpSignalPlan | null } | null;
  /** node_exporter textfile collector directory, or null. */
  promTextfileDir: string | null;
  pushgatewayUrl: string | null;
  /** also push at every report, not only at the end. */
  pushEveryReport: boolean;
  /** bound on the whole end-of-run flush, ms. */
  flushTimeoutMs: number;
  /** bound on one request, ms: below the flush bound, so a slow endpoint fails (and is named) before the flush gives up. */
  requestTimeoutMs: number;
  /** the bounded labels of every Prometheus series and the Pushgateway grouping key, in order. */
  labels: Array<[string, string]>;
  /** send process.command_line: only when asked for (it can be long and can hold secrets). */
  includeCommandLine: boolean;
  /** non-fatal problems met while resolving (an unsupported OTLP protocol). */
  warnings: string[];
}

/** The options that turn exports on; each also reads DUCT_<NAME> like every run option. */
export interface ExportOptionValues {
  otlp: boolean;
  'prom-textfile': string;
  pushgateway: string;
  'pushgateway-reports': boolean;
  'export-timeout': number;
  'export-job': string;
  'export-command-line': boolean;
}

const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';
const DEFAULT_OTLP_TIMEOUT_MS = 10_000;
const SIGNAL_PATH: Record<OtlpSignal, string> = { logs: 'v1/logs', metrics: 'v1/metrics' };

const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

/** A URL as it may be shown: no user, password or query (they can hold tokens). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username !== '' || u.password !== '') {
      u.username = 'REDACTED';
      u.password = '';
    }
    if (u.search !== '') u.search = '?REDACTED';
    return u.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

function httpUrl(text: string, source: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new DuctError('E_OPTION_VALUE', `${source} ${redactUrl(text)} is not a URL; give http://HOST:PORT or https://HOST:PORT`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new DuctError('E_OPTION_VALUE', `${source} ${redactUrl(text)} is not an http or https URL`);
  }
  return text;
}

function signalPlan(signal: OtlpSignal, env: NodeJS.ProcessEnv, requestTimeoutMs: number, warnings: string[]): OtlpSignalPlan {
  const S = signal.toUpperCase();
  const specific = env[`OTEL_EXPORTER_OTLP_${S}_ENDPOINT`];
  const general = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  // a per-signal endpoint is used as given; the general one gets the signal's path appended (the OTLP spec's rule)
  const url = set(specific)
    ? httpUrl(specific.trim(), `OTEL_EXPORTER_OTLP_${S}_ENDPOINT`)
    : `${httpUrl(set(general) ? general.trim() : DEFAULT_OTLP_ENDPOINT, 'OTEL_EXPORTER_OTLP_ENDPOINT').replace(/\/*$/, '')}/${SIGNAL_PATH[signal]}`;
  const protocolVar = set(env[`OTEL_EXPORTER_OTLP_${S}_PROTOCOL`]) ? `OTEL_EXPORTER_OTLP_${S}_PROTOCOL` : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const asked = (env[protocolVar] ?? '').trim();
  let protocol: OtlpProtocol = 'http/protobuf';
  if (asked === 'http/json') protocol = 'http/json';
  else if (asked !== '' && asked !== 'http/protobuf') {
    warnings.push(`${protocolVar}=${asked} is not supported by duct (http/protobuf, http/json); sending ${signal} as http/protobuf`);
  }
  const timeoutVar = set(env[`OTEL_EXPORTER_OTLP_${S}_TIMEOUT`]) ? env[`OTEL_EXPORTER_OTLP_${S}_TIMEOUT`] : env.OTEL_EXPORTER_OTLP_TIMEOUT;
  const envTimeout = set(timeoutVar) && Number(timeoutVar) > 0 ? Number(timeoutVar) : DEFAULT_OTLP_TIMEOUT_MS;
  return { url, protocol, timeoutMs: Math.min(envTimeout, requestTimeoutMs) };
}

/** Which OTLP signals are on: both with --otlp or the general endpoint, else those with an endpoint of their own. */
function otlpPlan(o: ExportOptionValues, env: NodeJS.ProcessEnv, requestTimeoutMs: number, warnings: string[]): ExportPlan['otlp'] {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return null;
  const all = o.otlp || set(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const on = (signal: OtlpSignal): boolean => {
    // OTEL_LOGS_EXPORTER / OTEL_METRICS_EXPORTER=none switch one signal off, as in every SDK
    if ((env[`OTEL_${signal.toUpperCase()}_EXPORTER`] ?? '').trim() === 'none') return false;
    return all || set(env[`OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_ENDPOINT`]);
  };
  const logs = on('logs') ? signalPlan('logs', env, requestTimeoutMs, warnings) : null;
  const metrics = on('metrics') ? signalPlan('metrics', env, requestTimeoutMs, warnings) : null;
  return logs || metrics ? { logs, metrics } : null;
}

function writableDir(dir: string): string {
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new DuctError('E_OPTION_VALUE', `--prom-textfile ${dir} is not a writable directory (${why}); give node_exporter's --collector.textfile.directory`);
  }
  return dir;
}

/**
 * The bounded labels of a run: its job name, host and SLURM ids where present. No pid and no
 * command line, so series stay few and a rerun of the same job replaces its own.
 */
export function runLabels(jobName: string, host: string, env: NodeJS.ProcessEnv): Array<[string, string]> {
  const labels: Array<[string, string]> = [['job_name', jobName], ['host', host]];
  const slurm: Array<[string, string]> = [
    ['slurm_job_id', 'SLURM_JOB_ID'],
    ['slurm_array_job_id', 'SLURM_ARRAY_JOB_ID'],
    ['slurm_array_task_id', 'SLURM_ARRAY_TASK_ID'],
    ['slurm_procid', 'SLURM_PROCID'],
  ];
  for (const [label, name] of slurm) if (set(env[name])) labels.push([label, env[name].trim()]);
  return labels;
}

export interface ExportContext {
  env: NodeJS.ProcessEnv;
  host: string;
  /** the command, for the default job name (its program's base name). */
  argv: readonly string[];
}

/** Resolve every export option; null when nothing is exported (then no exporter module is ever loaded). */
export function resolveExportPlan(o: ExportOptionValues, ctx: ExportContext): ExportPlan | null {
  if (!(o['export-timeout'] > 0)) {
    throw new DuctError('E_OPTION_VALUE', `--export-timeout must be greater than 0 seconds (got ${o['export-timeout']})`);
  }
  const flushTimeoutMs = Math.round(o['export-timeout'] * 1000);
  const requestTimeoutMs = Math.max(1, Math.round(flushTimeoutMs * 0.8));
  const warnings: string[] = [];
  const otlp = otlpPlan(o, ctx.env, requestTimeoutMs, warnings);
  const promTextfileDir = o['prom-textfile'] !== '' ? writableDir(o['prom-textfile']) : null;
  const pushgatewayUrl = o.pushgateway !== '' ? httpUrl(o.pushgateway, '--pushgateway') : null;
  if (o['pushgateway-reports'] && pushgatewayUrl === null) {
    throw new DuctError('E_USAGE', '--pushgateway-reports needs --pushgateway URL');
  }
  if (otlp === null && promTextfileDir === null && pushgatewayUrl === null) return null;
  const jobName = o['export-job'] !== '' ? o['export-job'] : set(ctx.env.SLURM_JOB_NAME) ? ctx.env.SLURM_JOB_NAME.trim() : basename(ctx.argv[0] ?? 'duct');
  return {
    otlp,
    promTextfileDir,
    pushgatewayUrl,
    pushEveryReport: o['pushgateway-reports'],
    flushTimeoutMs,
    requestTimeoutMs,
    labels: runLabels(jobName, ctx.host, ctx.env),
    includeCommandLine: o['export-command-line'],
    warnings,
  };
}
