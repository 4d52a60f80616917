import { DuctError } from '../errors.js';
import type { EnvFileValues } from './env-files.js';

/** The default output prefix, as con-duct has it. */
export const DEFAULT_OUTPUT_PREFIX = '.duct/logs/{datetime}-{pid}_';

export const OUTPUT_CHOICES = ['all', 'none', 'stdout', 'stderr'] as const;
export const RECORD_TYPE_CHOICES = ['all', 'system-summary', 'processes-samples'] as const;
export const MODE_CHOICES = ['new-session', 'current-session'] as const;
export const LOG_LEVEL_CHOICES = ['NONE', 'CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG'] as const;
export const CGROUP_CHOICES = ['reader', 'isolate'] as const;
export const DETECTOR_CHOICES = ['on', 'off'] as const;

interface Base {
  /** long option name; the environment variable is DUCT_<NAME in upper snake case>. */
  name: string;
  alias: string[];
  describe: string;
}
export type OptionSpec =
  | (Base & { type: 'string'; default: string; /** given, it may not be empty: what to give instead. */ nonEmpty?: string })
  | (Base & { type: 'number'; default: number })
  | (Base & { type: 'boolean'; default: boolean })
  | (Base & { type: 'choice'; choices: readonly string[]; default: string; upper?: boolean });

/** Every `duct run` option: one table drives the parser, the environment, .env files and --help. */
export const RUN_OPTIONS = [
  { name: 'output-prefix', alias: ['p'], type: 'string', default: DEFAULT_OUTPUT_PREFIX,
    describe: 'Prefix of the files duct writes. Placeholders: {datetime} {pid} {hostname} {slurm_job_id} {slurm_array_job_id} {slurm_array_task_id} {slurm_procid}. Leading directories are created.' },
  { name: 'summary-format', alias: [], type: 'string', default: '',
    describe: 'Template of the summary printed at the end; conversions !S (size), !E (exit code colored), !X, !N, !P (percent), !T (duration).' },
  { name: 'colors', alias: [], type: 'boolean', default: false, describe: 'Color the summary (default: on a terminal, unless NO_COLOR is set); --colors false, --no-colors or DUCT_COLORS=0: never.' },
  { name: 'clobber', alias: [], type: 'boolean', default: false, describe: 'Replace log files that already exist.' },
  { name: 'sample-interval', alias: ['s-i'], type: 'number', default: 1.0, describe: 'Seconds between samples.' },
  { name: 'report-interval', alias: ['r-i'], type: 'number', default: 60.0, describe: 'Seconds between usage records (>= --sample-interval).' },
  { name: 'fail-time', alias: ['f-t'], type: 'number', default: 3.0,
    describe: 'A command that fails faster than this (seconds) has its logs removed; 0 keeps them always, negative never keeps logs of a failing command.' },
  { name: 'capture-outputs', alias: ['c'], type: 'choice', choices: OUTPUT_CHOICES, default: 'all', describe: 'Streams recorded to <prefix>stdout / <prefix>stderr.' },
  { name: 'outputs', alias: ['o'], type: 'choice', choices: OUTPUT_CHOICES, default: 'all', describe: 'Streams passed through to the terminal.' },
  { name: 'record-types', alias: ['t'], type: 'choice', choices: RECORD_TYPE_CHOICES, default: 'all',
    describe: 'system-summary (info.json only), processes-samples (usage.jsonl only), or all.' },
  { name: 'message', alias: ['m'], type: 'string', default: '', describe: 'A note on the purpose of this run, recorded in info.json.' },
  { name: 'mode', alias: [], type: 'choice', choices: MODE_CHOICES, default: 'new-session',
    describe: 'new-session: the command gets its own session; current-session: track the session duct is in (SLURM).' },
  { name: 'log-level', alias: ['l'], type: 'choice', choices: LOG_LEVEL_CHOICES, default: 'INFO', upper: true, describe: "Level of duct's own messages on stderr; NONE disables them." },
  { name: 'quiet', alias: ['q'], type: 'boolean', default: false, describe: 'Same as --log-level NONE.' },
  { name: 'measurements', alias: [], type: 'string', default: 'default', describe: 'Measurement keys and presets, comma-separated; `help` lists them.' },
  { name: 'cgroup', alias: [], type: 'choice', choices: CGROUP_CHOICES, default: 'reader',
    describe: "reader: read the cgroup duct runs in; isolate: put the command in a child cgroup of its own (root or a delegated v2 subtree)." },
  { name: 'memory-limit', alias: [], type: 'string', default: '', nonEmpty: 'give bytes or a number with KiB, MiB or GiB (e.g. 512MiB), or leave the option out for no limit',
    describe: 'With --cgroup isolate: memory limit of the command\'s cgroup, in bytes or with a KiB, MiB or GiB suffix (e.g. 512MiB); the kernel OOM-kills the command above it.' },
  { name: 'detectors', alias: [], type: 'choice', choices: DETECTOR_CHOICES, default: 'on', describe: "Watch the command's output for training-job failures." },
  { name: 'hang-threshold', alias: [], type: 'number', default: 300, describe: 'Seconds without training-step progress that count as a stall.' },
  { name: 'step-pattern', alias: [], type: 'string', default: '', describe: 'Regular expression recognising a training-step progress line (default: common loop and tqdm lines).' },
  { name: 'kill-grace', alias: [], type: 'number', default: 10,
    describe: 'Seconds after a forwarded SIGTERM/SIGHUP before the command is killed with SIGKILL.' },
  // export to the cluster's monitoring (src/export); OTLP also starts when OTEL_EXPORTER_OTLP_*ENDPOINT is set
  { name: 'otlp', alias: [], type: 'boolean', default: false,
    describe: 'Send detector events as OTLP log records and the run\'s figures as OTLP metrics (OTEL_EXPORTER_OTLP_* variables; default endpoint http://localhost:4318).' },
  { name: 'prom-textfile', alias: [], type: 'string', default: '',
    describe: "Directory of node_exporter's textfile collector: the run's metrics are written there as a .prom file at each report and at the end." },
  { name: 'pushgateway', alias: [], type: 'string', default: '', describe: "Prometheus Pushgateway URL: the run's metrics are pushed at the end." },
  { name: 'pushgateway-reports', alias: [], type: 'boolean', default: false, describe: 'With --pushgateway: also push at every report.' },
  { name: 'export-timeout', alias: [], type: 'number', default: 3,
    describe: 'Seconds any export may take (each request, and the whole flush at the end); an endpoint slower than this is dropped with one warning.' },
  { name: 'export-job', alias: [], type: 'string', default: '', describe: "job_name label of the exported metrics (default: SLURM_JOB_NAME, else the command's name)." },
  { name: 'export-command-line', alias: [], type: 'boolean', default: false, describe: 'Also export the full command line (process.command_line); off by default.' },
] as const satisfies readonly OptionSpec[];

export type RunOptionName = (typeof RUN_OPTIONS)[number]['name'];
type ValueOf<S> = S extends { type: 'number' } ? number : S extends { type: 'boolean' } ? boolean : string;
/** Resolved option values, camel-cased keys are not used: names stay as the user types them. */
export type RunOptionValues = { [S in (typeof RUN_OPTIONS)[number] as S['name']]: ValueOf<S> };

export function envName(option: string): string {
  return `DUCT_${option.toUpperCase().replace(/-/g, '_')}`;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

/** Turn one raw value into its typed form, or fail naming where it came from and what is valid. */
function coerce(spec: OptionSpec, raw: unknown, source: string): string | number | boolean {
  switch (spec.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).trim().toLowerCase();
      if (TRUE.has(s)) return true;
      if (FALSE.has(s)) return false;
      throw new DuctError('E_OPTION_VALUE', `invalid value '${String(raw)}' for ${source}: expected one of true, false, 1, 0, yes, no, on, off`);
    }
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (String(raw).trim() === '' || !Number.isFinite(n)) {
        throw new DuctError('E_OPTION_VALUE', `invalid value '${String(raw)}' for ${source}: expected a number`);
      }
      return n;
    }
    case 'choice': {
      const s = spec.upper ? String(raw).toUpperCase() : String(raw);
      if (!spec.choices.includes(s)) {
        throw new DuctError('E_OPTION_VALUE', `invalid value '${String(raw)}' for ${source}: choose one of ${spec.choices.join(', ')}`);
      }
      return s;
    }
    case 'string':
      // an empty variable is as good as unset; an empty value typed on the command line is a mistake
      if (spec.nonEmpty !== undefined && source.startsWith('--') && String(raw).trim() === '') throw new DuctError('E_OPTION_VALUE', `empty value for ${source}: ${spec.nonEmpty}`);
      return String(raw);
  }
}

/**
 * Resolve every option by precedence: command line > environment > .env files > defaults.
 * `cli` holds only the options given on the command line.
 */
export function resolveRunOptions(cli: Record<string, unknown>, env: NodeJS.ProcessEnv, files: EnvFileValues): RunOptionValues {
  const out: Record<string, string | number | boolean> = {};
  for (const spec of RUN_OPTIONS as readonly OptionSpec[]) {
    const var_ = envName(spec.name);
    let value: string | number | boolean;
    if (cli[spec.name] !== undefined) value = coerce(spec, cli[spec.name], `--${spec.name}`);
    else if (env[var_] !== undefined) value = coerce(spec, env[var_], var_);
    else if (files.values[var_] !== undefined) value = coerce(spec, files.values[var_], `${var_} in ${files.origin[var_]}`);
    else value = spec.default;
    out[spec.name] = value;
  }
  return out as RunOptionValues;
}
