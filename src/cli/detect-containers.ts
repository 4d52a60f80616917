import { closeSync, constants as fsc, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { isDynamicPattern } from 'tinyglobby';
import { MAX_RECORD_BYTES, Tailer, logTimeMs, recordJson, recordSource, sniffFormat, type LogRecord, type StartAt, type TailerNotice } from '../containerlogs/index.js';
import { createLineDetectors, type DetectorOptions } from '../detectors/index.js';
import { readPlainLines } from '../detectors/read-plain-lines.js';
import type { DetectorEvent, ExternalStorageEvent, LineDetectors, StreamName } from '../detectors/types.js';
import { DuctError } from '../errors.js';
import { humanizeBytes } from '../format/units.js';

/** What `duct detect` prints: detector events (default) or every logical container log record. */
export type EmitKind = 'events' | 'records';
/** How input files are read: sniffed per file (auto), or forced. */
export type InputFormat = 'auto' | 'text' | 'cri' | 'docker';

/** The container-log part of `duct detect`'s plan, resolved from argv before anything is read. */
export interface ContainerDetectOptions {
  format: InputFormat;
  follow: boolean;
  startAt: StartAt;
  stateDir: string | null;
  rotateSizeBytes: number;
  idleTimeoutSeconds: number;
  pollIntervalSeconds: number;
  emit: EmitKind;
}

export const DEFAULT_ROTATE_SIZE = '10Mi';
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 5;
export const DEFAULT_POLL_INTERVAL_SECONDS = 0.25;
/** kubelet's rotation check runs every 10 s; a live log above the limit this long means rotation is not keeping up. */
const ROTATE_STALL_MS = 30_000;
const MAX_MALFORMED_REPORTED = 10;

const sizeUnits: Record<string, number> = {
  '': 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9,
  ki: 1024, kib: 1024, mi: 1024 ** 2, mib: 1024 ** 2, gi: 1024 ** 3, gib: 1024 ** 3,
};

/** `10Mi`, `10MiB`, `10M`, `10485760`: the kubelet's containerLogMaxSize spellings and plain bytes. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? sizeUnits[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) {
    throw new DuctError('E_OPTION_VALUE', `--rotate-size ${text} is not a size; give bytes or a number with Ki, Mi, Gi (1024-based) or K, M, G, e.g. 10Mi`);
  }
  return Math.round(Number(m[1]) * unit);
}

function choice<T extends string>(name: string, v: unknown, valid: readonly T[]): T {
  if (typeof v === 'string' && (valid as readonly string[]).includes(v)) return v as T;
  throw new DuctError('E_OPTION_VALUE', `--${name} ${String(v)} is not valid; choose one of ${valid.join(', ')}`);
}

function seconds(name: string, v: unknown, allowZero: boolean): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    throw new DuctError('E_OPTION_VALUE', `--${name} ${String(v)} is not valid; give a number of seconds ${allowZero ? '>= 0' : '> 0'}`);
  }
  return n;
}

/** Resolve the container-log options from parsed argv (pure). */
export function resolveContainerOptions(argv: Record<string, unknown>): ContainerDetectOptions {
  const o: ContainerDetectOptions = {
    format: choice('format', argv.format ?? 'auto', ['auto', 'text', 'cri', 'docker'] as const),
    follow: argv.follow === true,
    startAt: choice('start-at', argv['start-at'] ?? 'beginning', ['beginning', 'end'] as const),
    stateDir: typeof argv['state-dir'] === 'string' && argv['state-dir'] !== '' ? argv['state-dir'] : null,
    rotateSizeBytes: parseSize(String(argv['rotate-size'] ?? DEFAULT_ROTATE_SIZE)),
    idleTimeoutSeconds: seconds('idle-timeout', argv['idle-timeout'] ?? DEFAULT_IDLE_TIMEOUT_SECONDS, true),
    pollIntervalSeconds: seconds('poll-interval', argv['poll-interval'] ?? DEFAULT_POLL_INTERVAL_SECONDS, false),
    emit: choice('emit', argv.emit ?? 'events', ['events', 'records'] as const),
  };
  if (o.format === 'text' && (o.follow || o.emit === 'records' || o.stateDir !== null)) {
    throw new DuctError('E_USAGE', '--format text reads captured output files once; --follow, --emit records and --state-dir need container logs (--format auto, cri or docker)');
  }
  return o;
}

/**
 * True when FILES are read as container logs: forced by --format, implied by a
 * container-only option or a glob, or (auto) when the first line of a file is CRI or Docker json-file.
 */
export function wantsContainerPath(files: readonly string[], o: ContainerDetectOptions, sniff: (path: string) => boolean): boolean {
  if (o.format === 'text') return false;
  if (o.format !== 'auto' || o.follow || o.emit === 'records' || o.stateDir !== null) return true;
  return files.some((f) => isDynamicPattern(f) || sniff(f));
}

/** True when a file's first line is CRI or Docker json-file; a symlink or an unreadable file is not (its reader reports it). */
export function isContainerLog(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(4096);
    return sniffFormat(head.subarray(0, readSync(fd, head, 0, head.length, 0))) !== null;
  } catch {
    return false; // a directory or a device: not a container log
  } finally {
    closeSync(fd);
  }
}

const OUTPUT_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Output lines encoded straight into a byte buffer and written synchronously, so a
 * cursor is never saved ahead of what was printed (and no join of many small strings).
 */
class LineOutput {
  private buf = Buffer.allocUnsafe(OUTPUT_BUFFER_BYTES);
  private pos = 0;
  private fd: number | null = null;
  private broken = false;

  constructor(path: string | null, append: boolean, onBrokenPipe: () => void) {
    if (path !== null) {
      try {
        this.fd = openSync(path, append ? 'a' : 'w', 0o644);
      } catch (e) {
        throw new DuctError('E_OUTPUT_UNWRITABLE', `cannot write --output ${path}: ${(e as Error).message}`);
      }
    } else {
      process.stdout.on('error', () => {
        // a closed reader (`| head`) is not our failure: stop reading
        this.broken = true;
        onBrokenPipe();
      });
    }
  }

  line(text: string): void {
    const most = text.length * 3 + 1; // UTF-8 bytes per UTF-16 unit are at most 3
    if (this.pos + most > this.buf.length) {
      this.flush();
      if (most > this.buf.length) {
        this.emit(Buffer.from(`${text}\n`));
        return;
      }
    }
    this.pos += this.buf.write(text, this.pos);
    this.buf[this.pos++] = 10;
  }

  flush(): void {
    if (this.pos === 0) return;
    const bytes = this.buf.subarray(0, this.pos);
    // stdout may hold on to the bytes; a file write is done when writeSync returns
    if (this.fd === null) this.buf = Buffer.allocUnsafe(OUTPUT_BUFFER_BYTES);
    this.pos = 0;
    this.emit(bytes);
  }

  private emit(bytes: Buffer): void {
    if (this.fd !== null) writeSync(this.fd, bytes);
    else if (!this.broken) process.stdout.write(bytes); // synchronous for files and pipes on Linux
  }

  close(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
  }
}

/** Per container (stream id): one detector set, line numbers per stream, the source attached to its events. */
interface ContainerDetectors {
  detectors: LineDetectors;
  lineNumbers: Record<StreamName, number>;
  source: Record<string, string | number>;
  /** the latest log time seen, ms: a one-shot pass ends the container's clock there, not at today's date. */
  lastMs: number;
}

export interface ContainerRunInput {
  files: string[];
  output: string | null;
  detectors: DetectorOptions;
  external: readonly ExternalStorageEvent[];
  containers: ContainerDetectOptions;
}

/** Read container logs (one pass, or --follow until SIGINT/SIGTERM) and print events or records. */
export async function executeContainerDetect(input: ContainerRunInput): Promise<number> {
  const o = input.containers;
  const warn = (msg: string): void => void process.stderr.write(`duct: ${msg}\n`);
  let tailer: Tailer | null = null;
  const out = new LineOutput(input.output, o.stateDir !== null, () => tailer?.stop());
  const perContainer = new Map<string, ContainerDetectors>();
  const plainFiles: string[] = [];
  let events = 0;
  let malformedReported = 0;
  const missing: string[] = [];
  let cursorWriteFailed = false;
  if (o.stateDir !== null) {
    try {
      mkdirSync(o.stateDir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new DuctError('E_OUTPUT_UNWRITABLE', `cannot create --state-dir ${o.stateDir}: ${(e as Error).message}`);
    }
  }

  const writeEvent = (e: DetectorEvent): void => {
    events++;
    out.line(JSON.stringify(e));
  };
  const containerOf = (r: LogRecord): ContainerDetectors => {
    const id = r.streamId;
    let c = perContainer.get(id);
    if (c === undefined) {
      const entry = { lineNumbers: { stdout: 0, stderr: 0 }, source: recordSource(r), lastMs: Number.NEGATIVE_INFINITY } as ContainerDetectors;
      // verdicts carry no line, so they take the container's latest source
      entry.detectors = createLineDetectors(input.detectors, (e) => writeEvent(e.source ? e : { ...e, source: entry.source }));
      const podObject = r.meta ? `Pod ${r.meta.namespace}/${r.meta.pod}` : null;
      // Kubernetes events about this pod, or about no pod (a volume, a node), join this container's verdicts
      for (const ev of input.external) if (ev.object === null || ev.object === podObject || !ev.object.startsWith('Pod ')) entry.detectors.external?.(ev);
      perContainer.set(id, entry);
      c = entry;
    }
    return c;
  };
  const onRecord =
    o.emit === 'records'
      ? (r: LogRecord): void => out.line(recordJson(r))
      : (r: LogRecord): void => {
          const c = containerOf(r);
          if (c.source.file !== r.file) c.source = recordSource(r); // one object per file, not per line
          const time_ms = logTimeMs(r.time);
          if (time_ms > c.lastMs) c.lastMs = time_ms;
          c.detectors.line({ stream: r.stream, line_number: ++c.lineNumbers[r.stream], text: r.message, truncated: r.truncated, time_ms, source: c.source });
        };
  const onNotice = (n: TailerNotice): void => {
    switch (n.kind) {
      case 'malformed':
        if (++malformedReported <= MAX_MALFORMED_REPORTED) warn(`${n.file}: malformed line at byte ${n.offset} (${n.reason}), skipped`);
        return;
      case 'skipped':
        warn(`${n.file} ${n.reason}, skipped`);
        return;
      case 'not_container_log':
        if (o.format === 'auto' && !o.follow) plainFiles.push(n.file); // read as plain text after the pass
        else warn(`${n.file} is neither CRI nor Docker json-file, skipped`);
        return;
      case 'cursor_unreadable':
        warn(`cursor ${n.reason}; starting from --start-at ${o.startAt}`);
        return;
      case 'cursor_unwritable':
        if (!cursorWriteFailed) warn(`cannot write the cursor in --state-dir ${o.stateDir ?? ''} (${n.reason}); still reading, retrying at every poll`);
        cursorWriteFailed = true;
        return;
      case 'stream_forgotten': {
        // its pod is gone: end its detectors (a pending verdict comes out now) and free them
        const c = perContainer.get(n.streamId);
        if (c !== undefined) {
          c.detectors.finish(Date.now());
          perContainer.delete(n.streamId);
        }
        return;
      }
      case 'no_match':
        missing.push(n.pattern);
        if (o.follow) warn(`no file matches ${n.pattern} yet; watching for it`);
        return;
      case 'rotation_stalled': {
        const stalledS = Math.floor(n.stalledMs / 1000);
        warn(`${n.file} is ${humanizeBytes(n.sizeBytes)}, above the rotation size ${humanizeBytes(n.rotateSizeBytes)} for ${stalledS} s: log rotation is not keeping up`);
        if (o.emit === 'events') {
          const source: Record<string, string | number> = n.meta ? { ...n.meta, file: n.file } : { file: n.file };
          writeEvent({
            timestamp: new Date().toISOString(),
            kind: 'log_rotation_stalled',
            attributes: { 'log.size_bytes': n.sizeBytes, 'log.rotate_size_bytes': n.rotateSizeBytes, 'log.stalled_seconds': stalledS },
            source,
          });
        }
        return;
      }
    }
  };

  tailer = new Tailer({
    patterns: input.files,
    cwd: process.cwd(),
    follow: o.follow,
    startAt: o.startAt,
    stateDir: o.stateDir,
    rotateSizeBytes: o.rotateSizeBytes,
    rotateStallMs: ROTATE_STALL_MS,
    idleTimeoutMs: o.idleTimeoutSeconds * 1000,
    pollIntervalMs: o.pollIntervalSeconds * 1000,
    maxRecordBytes: MAX_RECORD_BYTES,
    format: o.format === 'cri' || o.format === 'docker' ? o.format : null,
    now: () => Date.now(),
    onRecord,
    onNotice,
    flushOutput: () => out.flush(),
    afterPoll: o.follow && o.emit === 'events' ? () => {
      const now = Date.now();
      for (const c of perContainer.values()) c.detectors.tick(now);
    } : undefined,
  });
  const stop = (): void => tailer?.stop();
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, stop);
  const progress = process.stderr.isTTY && !o.follow ? setInterval(() => {
    const st = tailer!.stats;
    process.stderr.write(`\rduct detect: ${humanizeBytes(st.bytesRead)} read, ${st.records} records`);
  }, 1000) : null;
  try {
    const stats = await tailer.run();
    if (!o.follow && missing.length === input.files.filter((f) => !f.startsWith('!')).length && stats.filesRead === 0 && plainFiles.length === 0) {
      throw new DuctError('E_INPUT', `no file matches ${missing.join(', ')}; give container log files or a glob such as '/var/log/pods/*/*/*.log'`);
    }
    for (const path of plainFiles) {
      if (o.emit === 'records') {
        warn(`${path} is neither CRI nor Docker json-file; --emit records skips it`);
        continue;
      }
      const detectors = createLineDetectors({ ...input.detectors, untimed: true }, writeEvent); // plain lines carry the file's mtime only
      for (const ev of input.external) detectors.external?.(ev);
      let last = Number.NEGATIVE_INFINITY;
      for await (const line of readPlainLines(path)) {
        detectors.line(line);
        last = Math.max(last, line.time_ms);
      }
      detectors.finish(Number.isFinite(last) ? last : Date.now());
    }
    // following, the logs are live and their clock is the wall clock; a one-shot pass stops at each container's last line
    for (const c of perContainer.values()) c.detectors.finish(o.follow || !Number.isFinite(c.lastMs) ? Date.now() : c.lastMs);
    if (progress) process.stderr.write('\n');
    if (stats.malformed > MAX_MALFORMED_REPORTED) warn(`${stats.malformed} malformed lines in all, skipped (the first ${MAX_MALFORMED_REPORTED} are named above)`);
    if (process.stderr.isTTY) {
      warn(`${stats.records} records from ${stats.filesRead} file reads (${humanizeBytes(stats.bytesRead)}) in ${stats.streams} streams, ${events} events`);
    }
    return 0;
  } finally {
    if (progress) clearInterval(progress);
    for (const s of signals) process.off(s, stop);
    out.close();
  }
}
