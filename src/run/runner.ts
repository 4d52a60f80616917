import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { constants } from 'node:os';
import type { Writable } from 'node:stream';
import { prepareMeasurements } from '../aggregation/engine.js';
import type { MeasurementEngine, PreparedMeasurements, UsageRecord } from '../aggregation/types.js';
import { createLineDetectors } from '../detectors/index.js';
import type { DetectorEvent, LineDetectors, StreamName } from '../detectors/types.js';
import { DuctError } from '../errors.js';
import { writeJsonAtomic } from '../files/atomic-json.js';
import { jobEnvironment } from '../files/environment.js';
import { SCHEMA_VERSION, type RunInfo } from '../files/info.js';
import { JsonlWriter } from '../files/jsonl-writer.js';
import { withFigures } from '../files/run-figures-of-info.js';
import { systemInfo } from '../files/system-info.js';
import { slurmRequest } from '../slurm/request.js';
import { DUCT_VERSION } from '../version.js';
import { readBootId } from '../files/boot-id.js';
import { lookupCommand } from './command-lookup.js';
import { writeAll } from './fd-write.js';
import { Logger } from './log.js';
import { allPaths, checkClobber, createLeadingDirs, removeOutputs } from './output-paths.js';
import type { RunPlan } from './plan.js';
import { Sampler } from './sampler.js';
import { SignalForwarder } from './signals.js';
import { formatSummary } from './summary-format.js';
import { summaryValues } from './summary-values.js';
import { sessionMembers } from './survivors.js';
import { StreamTee } from './tee.js';
import { GroupWatchdog } from './watchdog.js';

export interface RunIO {
  stdout: Writable;
  stderr: Writable;
  /**
   * The descriptors behind stdout and stderr, written directly where that cannot
   * fail with EAGAIN; absent: the streams only. With them, `stdout` and `stderr`
   * are read only when needed (getters): making Node's stream for a pipe turns the
   * pipe non-blocking, under a command that may share it.
   */
  fds?: { stdout: number; stderr: number };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** How each of the command's output streams is connected: through duct, or handed over. */
type OutputStdio = 'pipe' | 'inherit' | 'ignore';

/** How long output may keep flowing after the command exits before duct stops reading (a background child holds the pipe). */
const DRAIN_AFTER_EXIT_MS = 1000;

/** Quote an argv for display the way a POSIX shell would accept it back. */
export function displayCommand(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function spawnOrFail(argv: string[], mode: RunPlan['mode'], io: RunIO, output: Record<StreamName, OutputStdio>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: io.cwd,
      env: io.env,
      detached: mode === 'new-session', // setsid(): its own session and process group
      stdio: ['inherit', output.stdout, output.stderr],
    });
    child.once('spawn', () => resolve(child));
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') reject(new DuctError('E_COMMAND_NOT_FOUND', `${argv[0]}: command not found`));
      else if (err.code === 'EACCES') reject(new DuctError('E_COMMAND_NOT_EXECUTABLE', `${argv[0]}: permission denied`));
      else reject(new DuctError('E_INTERNAL', `cannot start ${argv[0]}: ${err.message}`, 126));
    });
  });
}

function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/**
 * duct's own messages: straight to the descriptor while no stream for it exists (so
 * none is made for a line of log), through the stream once the tee has made one, so
 * they keep their place after the command's output.
 */
function messageOut(fd: number | undefined, made: () => Writable | null, make: () => Writable): Pick<Writable, 'write'> {
  return {
    write(text: string | Uint8Array): boolean {
      const stream = made();
      if (stream || fd === undefined) return (stream ?? make()).write(text);
      const bytes = Buffer.from(text);
      const at = writeAll(fd, bytes);
      // a descriptor someone made non-blocking: the rest through the stream, and all that follows
      return at === bytes.length || make().write(bytes.subarray(at));
    },
  };
}

/**
 * Per output stream: through duct when it is captured, watched or passed through
 * with one of the others; handed to the command (the terminal itself, nothing
 * in between) or to /dev/null when duct has nothing to do with it.
 */
function outputStdio(plan: RunPlan): Record<StreamName, OutputStdio> {
  const of = (s: StreamName): OutputStdio =>
    plan.paths[s] !== null || plan.detectors.enabled ? 'pipe' : plan.passthrough[s] ? 'inherit' : 'ignore';
  return { stdout: of('stdout'), stderr: of('stderr') };
}

/** Execute a resolved plan: spawn, tee, sample, detect, write the files, print the summary; returns duct's exit status. */
export async function executeRun(plan: RunPlan, io: RunIO): Promise<number> {
  // each of duct's own streams is made once, by the first writer that needs it
  const made: { stdout: Writable | null; stderr: Writable | null } = { stdout: null, stderr: null };
  const streamOf = (s: StreamName) => (): Writable => (made[s] ??= s === 'stdout' ? io.stdout : io.stderr);
  const log = new Logger(plan.logLevel, messageOut(io.fds?.stderr, () => made.stderr, streamOf('stderr')));
  for (const w of plan.warnings) log.log('WARNING', w);
  const paths = plan.paths;

  // Everything that can fail on bad input fails here, before any file exists.
  lookupCommand(plan.argv[0]!, io.env, io.cwd);
  const prepared: PreparedMeasurements | null = plan.recordUsage || plan.recordInfo
    ? await prepareMeasurements({
        requested: plan.measurements,
        sampleInterval: plan.sampleIntervalSeconds,
        reportInterval: plan.reportIntervalSeconds,
        cgroupMode: plan.cgroupMode,
        memoryLimitBytes: plan.memoryLimitBytes,
        mode: plan.mode,
      })
    : null;
  let createdDirs: string[];
  try {
    checkClobber(paths, plan.clobber);
    createdDirs = createLeadingDirs(paths.prefix);
    if (plan.clobber) for (const f of allPaths(paths)) rmSync(f, { force: true });
  } catch (err) {
    await prepared?.abort();
    throw err;
  }

  const warnings: string[] = [];
  const warnOnce = (msg: string) => {
    if (warnings.includes(msg)) return;
    warnings.push(msg);
    log.log('WARNING', msg);
  };

  let usage: JsonlWriter | null = null;
  let child: ChildProcess;
  const stdio = outputStdio(plan);
  try {
    usage = plan.recordUsage ? new JsonlWriter(paths.usage, true) : null;
    child = await spawnOrFail([...(prepared?.argvPrefix ?? []), ...plan.argv], plan.mode, io, stdio);
  } catch (err) {
    usage?.close();
    await prepared?.abort();
    removeOutputs(paths, createdDirs);
    throw err instanceof DuctError ? err : new DuctError('E_OUTPUT_UNWRITABLE', `cannot write ${paths.usage}: ${(err as Error).message}`);
  }
  const startMs = Date.now();
  const startPerf = performance.now();
  const pid = child.pid!;
  const exited = waitForExit(child);

  const forwarder = new SignalForwarder({
    pid,
    group: plan.mode === 'new-session',
    killGraceMs: plan.killGraceSeconds * 1000,
    log: (level, msg) => log.log(level === 'info' ? 'INFO' : 'WARNING', msg),
  });
  forwarder.install();
  const watchdog = new GroupWatchdog(pid, plan.mode === 'new-session');

  // a few file reads, after the spawn so they never delay it
  const system: Record<string, unknown> = plan.recordInfo ? systemInfo() : {};
  const environment = jobEnvironment(io.env);
  const bootId = readBootId();
  // the job's request (--mem, --cpus-per-task) beside its variables, for `duct recommend`'s waste flags
  const request = slurmRequest(io.env);
  if (request) environment.slurm_request = request;

  // detectors read the same line stream the tee passes on
  const events = new JsonlWriter(paths.events, false);
  const detectors: LineDetectors = createLineDetectors(plan.detectors, (e: DetectorEvent) => {
    try {
      events.write(e);
    } catch (err) {
      warnOnce(`cannot write detector events to ${paths.events}: ${(err as Error).message}`);
    }
  }, (notice) => log.text('WARNING', `duct: ${notice}\n`)); // a failure is said when found, not only in the summary (-q silences it)
  const lineNumbers: Record<StreamName, number> = { stdout: 0, stderr: 0 };
  const lineHandler = (stream: StreamName) =>
    plan.detectors.enabled
      ? (text: string, truncated: boolean) =>
          detectors.line({ stream, line_number: ++lineNumbers[stream], text, truncated, time_ms: Date.now() })
      : null;
  const tees = (['stdout', 'stderr'] as const).filter((s) => stdio[s] === 'pipe').map(
    (s) =>
      new StreamTee({
        source: child[s]!,
        terminal: plan.passthrough[s] ? { fd: io.fds?.[s] ?? null, stream: streamOf(s) } : null,
        capturePath: paths[s],
        onLine: lineHandler(s),
        // a frame belongs to the line being written: the next line number, not yet counted
        onFrame: plan.detectors.enabled
          ? (text: string) => detectors.line({ stream: s, line_number: lineNumbers[s] + 1, text, truncated: false, time_ms: Date.now() })
          : null,
        onWriteError: warnOnce,
      }),
  );
  const detectorClock = plan.detectors.enabled ? setInterval(() => detectors.tick(Date.now()), 1000) : null;

  const engine: MeasurementEngine | null = prepared ? prepared.start(pid) : null;
  const info = (status: RunInfo['status']): RunInfo => withFigures({
    schema_version: SCHEMA_VERSION,
    duct_version: DUCT_VERSION,
    status,
    command: displayCommand(plan.argv),
    argv: plan.argv,
    working_directory: io.cwd,
    mode: plan.mode,
    message: plan.message,
    start_time: new Date(startMs).toISOString(),
    end_time: null,
    wall_clock_time: null,
    exit_code: null,
    signal: null,
    duct_exit_code: null,
    forcefully_terminated: false,
    survivors: [],
    pid,
    duct_pid: process.pid,
    boot_id: bootId,
    system,
    environment,
    cgroup: engine?.cgroup() ?? null,
    measurements: (engine ?? prepared)?.describe() ?? {
      selected: [], requested: plan.measurements, units: {}, unavailable: {},
      sample_interval: plan.sampleIntervalSeconds, report_interval: plan.reportIntervalSeconds,
    },
    execution_summary: engine?.summary() ?? {},
    detectors: { enabled: plan.detectors.enabled, counts: {}, headline: null },
    output_paths: paths,
    warnings,
  });
  // only the final version is fsynced: each interim one is replaced by the next
  const writeInfo = (value: RunInfo, durable = false) => {
    if (!plan.recordInfo) return;
    try {
      writeJsonAtomic(paths.info, value, 0o644, durable);
    } catch (err) {
      warnOnce(`cannot write ${paths.info}: ${(err as Error).message}`);
    }
  };
  writeInfo(info('running'));
  log.log('INFO', `duct ${DUCT_VERSION} is executing ${displayCommand(plan.argv)}...`);
  log.log('INFO', `Log files will be written to ${paths.prefix}`);

  const onReport = (record: UsageRecord) => {
    try {
      usage?.write(record);
    } catch (err) {
      warnOnce(`cannot write ${paths.usage}: ${(err as Error).message}`);
    }
    const cpu = ['proc_pdcpu_total', 'ps_pdcpu_total', 'pidusage_pdcpu_total']
      .map((k) => record.measurements[k])
      .find((v): v is number => typeof v === 'number');
    if (cpu !== undefined && plan.detectors.enabled) detectors.cpu(Date.now(), cpu);
    // keep info.json current, so a SIGKILLed duct leaves the summary of its last report
    writeInfo(info('running'));
  };
  const sampler = engine
    ? new Sampler({
        engine,
        sampleIntervalMs: plan.sampleIntervalSeconds * 1000,
        reportIntervalMs: plan.reportIntervalSeconds * 1000,
        onReport,
        onError: (err) => warnOnce(`sampling failed: ${(err as Error).message}`),
      })
    : null;
  sampler?.start();

  const { code, signal } = await exited;
  const endMs = Date.now();
  const wallSeconds = (performance.now() - startPerf) / 1000;
  await engine?.commandExited?.();
  forwarder.uninstall();
  watchdog.disarm();
  // con-duct's policy, kept: the run ends with its primary command; what it left running is named, not killed
  let survivors = plan.mode === 'new-session' ? sessionMembers(pid) : [];
  // a group duct has just SIGKILLed is still dying for a moment: only what outlives that is a survivor
  for (let i = 0; forwarder.forcefullyTerminated && survivors.length > 0 && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 10));
    survivors = sessionMembers(pid);
  }
  if (survivors.length > 0) {
    log.log('WARNING', `the command exited leaving ${survivors.length} process(es) of its session running (pids ${survivors.join(', ')}); duct does not wait for them`);
  }

  // Output may still be in the pipes; a background child may hold them open for good.
  const drained = Promise.all(tees.map((t) => t.done));
  const drainTimer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), DRAIN_AFTER_EXIT_MS).unref());
  if ((await Promise.race([drained, drainTimer])) === 'timeout') {
    log.log('WARNING', 'the command exited but a process it left behind still holds its output open; duct stops reading it');
    for (const t of tees) t.detach();
    await drained;
  }

  await sampler?.stop();
  if (detectorClock) clearInterval(detectorClock);
  const detectorSummary = detectors.finish(Date.now());
  events.close();
  usage?.close();
  await engine?.close();

  const ductExit = signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1);
  for (const w of engine?.warnings?.() ?? []) if (!warnings.includes(w)) warnings.push(w);
  const final: RunInfo = withFigures({
    ...info('finished'),
    end_time: new Date(endMs).toISOString(),
    wall_clock_time: wallSeconds,
    exit_code: signal ? null : code,
    signal,
    duct_exit_code: ductExit,
    forcefully_terminated: forwarder.forcefullyTerminated,
    survivors,
    detectors: detectorSummary,
  });
  writeInfo(final, true);

  if (ductExit !== 0 && (plan.failTimeSeconds < 0 || wallSeconds < plan.failTimeSeconds)) {
    log.log(
      'INFO',
      `Removing log files since the command failed${plan.failTimeSeconds > 0 ? ` in less than ${plan.failTimeSeconds} seconds` : ''}.`,
    );
    removeOutputs(paths, createdDirs);
  } else {
    log.text('INFO', formatSummary(plan.summaryFormat, summaryValues(final), plan.colors));
  }
  return ductExit;
}
