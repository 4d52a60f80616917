import { createWriteStream, type WriteStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { hostname } from 'node:os';
import { DuctError } from '../errors.js';
import { DEFAULT_CORRELATION_WINDOW_SECONDS, type DetectorOptions } from '../detectors/index.js';
import { detectStream } from '../detectors/detect-stream.js';
import { parseKubernetesEvents } from '../detectors/kubernetes-events.js';
import { readPlainLines } from '../detectors/read-plain-lines.js';
import { compileStepPattern } from '../detectors/step-progress.js';
import type { DetectorEvent, ExternalStorageEvent, LineInput } from '../detectors/types.js';
import { openDetectExport } from '../export/detect-export.js';
import { resolveExportPlan, type ExportPlan } from '../export/plan.js';
import { baseParser } from './yargs-base.js';
// container logs (CRI, Docker json-file): src/cli/detect-containers.ts
import {
  DEFAULT_IDLE_TIMEOUT_SECONDS,
  DEFAULT_POLL_INTERVAL_SECONDS,
  DEFAULT_ROTATE_SIZE,
  executeContainerDetect,
  isContainerLog,
  resolveContainerOptions,
  wantsContainerPath,
  type ContainerDetectOptions,
} from './detect-containers.js';

/** Everything `duct detect` will do, resolved from its argv before any file is read. */
export interface DetectPlan {
  files: string[];
  /** `kubectl get events -o json` output, or null. */
  eventsFile: string | null;
  /** where the JSON lines go; null for stdout. */
  output: string | null;
  detectors: DetectorOptions;
  /** how container log files are read (format, --follow, cursor, --emit). */
  containers: ContainerDetectOptions;
  /** events as OTLP log records (--otlp or OTEL_EXPORTER_OTLP_*ENDPOINT), null when not asked for. */
  export: ExportPlan | null;
}

export const DEFAULT_HANG_THRESHOLD_SECONDS = 300;

function positiveNumber(name: string, v: unknown, allowZero: boolean): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    throw new DuctError('E_OPTION_VALUE', `--${name} ${String(v)} is not valid; give a number of seconds ${allowZero ? '>= 0' : '> 0'}`);
  }
  return n;
}

export function resolveDetectPlan(argv: Record<string, unknown>): DetectPlan {
  const files = ((argv.files as unknown[] | undefined) ?? []).map(String);
  const eventsFile = typeof argv.events === 'string' ? argv.events : null;
  if (files.length === 0 && eventsFile === null) {
    throw new DuctError('E_USAGE', 'duct detect needs at least one FILE (a captured <prefix>stdout or <prefix>stderr) or --events FILE');
  }
  const stepPattern = typeof argv['step-pattern'] === 'string' && argv['step-pattern'] !== '' ? argv['step-pattern'] : null;
  if (stepPattern !== null) compileStepPattern(stepPattern);
  return {
    files,
    eventsFile,
    output: typeof argv.output === 'string' ? argv.output : null,
    detectors: {
      enabled: true,
      hangThresholdSeconds: positiveNumber('hang-threshold', argv['hang-threshold'], false),
      stepPattern,
      correlationWindowSeconds: positiveNumber('correlation-window', argv['correlation-window'], true),
    },
    containers: resolveContainerOptions(argv),
    export: resolveExportPlan(
      {
        otlp: argv.otlp === true, 'export-timeout': Number(argv['export-timeout'] ?? 3),
        'prom-textfile': '', pushgateway: '', 'pushgateway-reports': false, 'export-job': '', 'export-command-line': false,
      },
      { env: process.env, host: hostname(), argv: ['duct-detect'] },
    ),
  };
}

async function readStorageEvents(path: string, warn: (msg: string) => void): Promise<ExternalStorageEvent[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new DuctError('E_INPUT', `cannot read --events ${path}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new DuctError('E_INPUT', `--events ${path} is not JSON (${(err as Error).message}); give the output of \`kubectl get events -o json\``);
  }
  try {
    const parsed = parseKubernetesEvents(doc);
    for (const s of parsed.skipped) warn(`--events ${path}: ${s}, skipped`);
    return parsed.storage;
  } catch (err) {
    throw new DuctError('E_INPUT', `--events ${path}: ${(err as Error).message}`);
  }
}

async function* plainFiles(files: readonly string[]): AsyncGenerator<LineInput> {
  for (const f of files) yield* readPlainLines(f);
}

/** Where event lines are written: one `JSON.stringify(event) + '\n'` each. */
interface EventSink {
  write(e: DetectorEvent): void;
  close(): Promise<void>;
}

function stdoutSink(): EventSink {
  let open = true;
  process.stdout.on('error', () => (open = false)); // a closed reader (`| head`) is not our failure
  return {
    write: (e) => {
      if (open) process.stdout.write(JSON.stringify(e) + '\n');
    },
    close: () => Promise.resolve(),
  };
}

function fileSink(path: string): EventSink {
  const out: WriteStream = createWriteStream(path, { flags: 'w' });
  let failure: Error | null = null;
  out.on('error', (err) => (failure = err));
  return {
    write: (e) => void out.write(JSON.stringify(e) + '\n'),
    close: () =>
      new Promise<void>((resolve, reject) => {
        out.end(() => (failure ? reject(failure) : resolve()));
        out.once('error', reject);
      }).catch((err: Error) => {
        throw new DuctError('E_OUTPUT_UNWRITABLE', `cannot write --output ${path}: ${err.message}`);
      }),
  };
}

/**
 * Runs the detectors over a line source and prints each event as a JSON line. Other
 * readers (container logs) reuse this with their own `lines`.
 */
export async function printDetectedEvents(
  lines: AsyncIterable<LineInput>,
  plan: Pick<DetectPlan, 'output' | 'detectors' | 'export'>,
  external: readonly ExternalStorageEvent[],
): Promise<number> {
  const sink = plan.output === null ? stdoutSink() : fileSink(plan.output);
  const exporter = openDetectExport(plan.export, (m) => process.stderr.write(`duct: warning: ${m}\n`));
  await detectStream(lines, plan.detectors, (e) => {
    sink.write(e);
    exporter?.event(e);
  }, external);
  await sink.close();
  await exporter?.finish(null);
  return 0;
}

export async function executeDetect(plan: DetectPlan): Promise<number> {
  if (plan.files.length > 0 && wantsContainerPath(plan.files, plan.containers, isContainerLog)) {
    const external = plan.eventsFile === null ? [] : await readStorageEvents(plan.eventsFile, (m) => process.stderr.write(`duct: ${m}\n`));
    return executeContainerDetect({ files: plan.files, output: plan.output, detectors: plan.detectors, external, containers: plan.containers, export: plan.export });
  }
  for (const f of plan.files) {
    try {
      await access(f, constants.R_OK);
    } catch (err) {
      throw new DuctError('E_INPUT', `cannot read ${f}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; give captured output files such as .duct/logs/<run>_stderr`);
    }
  }
  const external = plan.eventsFile === null ? [] : await readStorageEvents(plan.eventsFile, (m) => process.stderr.write(`duct: ${m}\n`));
  // plain lines carry their file's mtime, not the time each was printed
  return printDetectedEvents(plainFiles(plan.files), { ...plan, detectors: { ...plan.detectors, untimed: true } }, external);
}

/** `duct detect FILES... [--events FILE]`: the log detectors, offline. */
export async function run(argv: string[]): Promise<number> {
  const parsed = await baseParser(argv, 'duct detect')
    .usage('Usage: duct detect [OPTIONS] FILES...\n\nRun the log detectors over captured output files of a past run, or over Kubernetes container logs (CRI or Docker json-file, rotated files included), and print each event as a JSON line.')
    .command('$0 [files..]', false, (y) =>
      y.positional('files', { type: 'string', array: true, describe: 'plain text files (e.g. <prefix>stdout), container log files, or globs of them' }),
    )
    .option('events', { type: 'string', describe: 'Kubernetes events (`kubectl get events -o json`) used as storage evidence' })
    .option('output', { type: 'string', describe: 'write the JSON lines to this file instead of stdout' })
    .option('hang-threshold', { type: 'number', default: DEFAULT_HANG_THRESHOLD_SECONDS, describe: 'seconds without training-step progress that count as a stall' })
    .option('step-pattern', { type: 'string', describe: 'regular expression recognising a training-step line (default: common loop and tqdm lines)' })
    .option('correlation-window', {
      type: 'number',
      default: DEFAULT_CORRELATION_WINDOW_SECONDS,
      describe: 'seconds before a stall within which a worker-killed or storage error still joins it',
    })
    // container logs
    .option('format', { type: 'string', default: 'auto', describe: 'auto, text, cri or docker: how FILES are read (auto: detected per file from its first line)' })
    .option('follow', { type: 'boolean', default: false, describe: 'keep reading container logs as they grow and rotate, until SIGINT/SIGTERM' })
    .option('start-at', { type: 'string', default: 'beginning', describe: 'beginning or end: where to start in a container log seen for the first time (no cursor)' })
    .option('state-dir', { type: 'string', describe: 'directory of the cursor file (detect-cursor.json), so a restart neither repeats nor skips a line' })
    .option('rotate-size', { type: 'string', default: DEFAULT_ROTATE_SIZE, describe: "the kubelet's containerLogMaxSize; a live log above it for 30 s gives a rotation-stalled warning" })
    .option('idle-timeout', { type: 'number', default: DEFAULT_IDLE_TIMEOUT_SECONDS, describe: 'seconds after which a partial message with no new chunk is emitted as incomplete (--follow)' })
    .option('poll-interval', { type: 'number', default: DEFAULT_POLL_INTERVAL_SECONDS, describe: 'seconds between checks for new lines and rotations (--follow)' })
    .option('emit', { type: 'string', default: 'events', describe: 'events (detector events) or records (every container log message as a JSON record)' })
    .option('otlp', { type: 'boolean', default: false, describe: 'also send each event as an OTLP log record (OTEL_EXPORTER_OTLP_* variables; on by itself when an OTLP endpoint variable is set)' })
    .option('export-timeout', { type: 'number', default: 3, describe: 'seconds an OTLP request, and the flush at the end, may take' })
    .example("duct detect '/var/log/pods/*/*/*.log'", 'scan every container log on this node, rotated files included')
    .example("duct detect --follow --start-at end --state-dir /var/lib/duct '/var/log/pods/*/*/*.log'", 'tail container logs as a node agent')
    .example('duct detect --emit records --output pod.jsonl /var/log/pods/ns_pod_uid/app/0.log', 'convert a container log to JSON lines')
    .example('duct detect .duct/logs/2026.11.22T05.00.00-123_stderr', 'print the CUDA OOM, DataLoader and storage events found')
    .example('duct detect run_stdout run_stderr --events events.json --output found.jsonl', 'also use FailedMount events as storage evidence')
    .parseAsync();
  if (parsed.help || parsed.version) return 0;
  return executeDetect(resolveDetectPlan(parsed as Record<string, unknown>));
}
