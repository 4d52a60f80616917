import { once } from 'node:events';
import { closeSync, constants as fsc, fstatSync, lstatSync, openSync, readdirSync, readSync, type Stats } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { StreamName } from '../detectors/types.js';
import { isMalformed, type ContainerLogFormat, type ParsedLine } from './chunk.js';
import { parseCriLine } from './cri-line.js';
import { cursorText, loadCursor, saveCursor, type CursorFile, type CursorPending } from './cursor.js';
import { discoverStreams, streamFiles, streamOf, type StreamSpec } from './discover.js';
import { parseDockerLine } from './docker-line.js';
import { fingerprintMatches, fingerprintOf, readGzHead, readPlainHead, type Fingerprint } from './fingerprint.js';
import { Joiner, newJoinSlots, type JoinSlots } from './joiner.js';
import { LineSplitter } from './line-splitter.js';
import { parsePodLogPath, parseRotatedName, type PodMeta } from './pod-path.js';
import type { LogRecord } from './record.js';
import { sniffFormat } from './sniff.js';
import { parseLogTime } from './timestamp.js';

export const MAX_RECORD_BYTES = 1024 * 1024;
/** Room for a CRI header or JSON envelope on top of the record cap in one physical line. */
const PHYSICAL_SLACK_BYTES = 64 * 1024;
const READ_BUFFER_BYTES = 1024 * 1024;
const DEFAULT_FORGET_AFTER_MS = 5 * 60_000;
/** Yield to the event loop (signals, timers) after this much of one file. */
const YIELD_EVERY_BYTES = 32 * 1024 * 1024;

export type StartAt = 'beginning' | 'end';

export interface TailerOptions {
  /** globs or paths of container log files. */
  patterns: string[];
  cwd: string;
  follow: boolean;
  /** where to start in files seen for the first time with no cursor. */
  startAt: StartAt;
  /** directory of the cursor file; null for none. */
  stateDir: string | null;
  rotateSizeBytes: number;
  /** how long a live file must stay above rotateSizeBytes before the warning. */
  rotateStallMs: number;
  /** a partial message with no new chunk for this long is flushed as incomplete (follow mode). */
  idleTimeoutMs: number;
  pollIntervalMs: number;
  maxRecordBytes: number;
  /** a stream not found for this long (its pod deleted) is forgotten, in memory and in the cursor; default 5 minutes. */
  forgetAfterMs?: number;
  /** read every file as this format; null to detect it per file from its first line. */
  format?: ContainerLogFormat | null;
  /** wall clock, ms; injectable for tests. */
  now: () => number;
  onRecord(r: LogRecord): void;
  onNotice(n: TailerNotice): void;
  /** called at the end of each poll and at close, before the cursor is written: what was emitted must be out before the cursor moves past it. */
  flushOutput?(): void;
  /** called after each poll (follow mode: the detectors' clock tick). */
  afterPoll?(): void;
}

/** What the tailer reports besides records: nothing here stops it. */
export type TailerNotice =
  | { kind: 'malformed'; file: string; offset: number; reason: string }
  | { kind: 'skipped'; file: string; reason: string }
  /** neither CRI nor Docker json-file: plain text, left to a plain-text reader. */
  | { kind: 'not_container_log'; file: string }
  | { kind: 'cursor_unreadable'; reason: string }
  | { kind: 'cursor_unwritable'; reason: string }
  | { kind: 'rotation_stalled'; file: string; meta: PodMeta | null; sizeBytes: number; rotateSizeBytes: number; stalledMs: number }
  | { kind: 'no_match'; pattern: string }
  | { kind: 'stream_forgotten'; streamId: string };

export interface TailerStats {
  streams: number;
  /** files opened (an idle poll opens none). */
  filesOpened: number;
  filesRead: number;
  bytesRead: number;
  records: number;
  malformed: number;
}

/** A file of a stream, known by content. */
interface KnownFile {
  fp: Fingerprint;
  offset: number;
  complete: boolean;
  path: string;
}

interface StreamState {
  spec: StreamSpec;
  meta: PodMeta | null;
  slots: JoinSlots;
  files: KnownFile[];
  stalledSinceMs: number | null;
  /** wall time the stream was last found by discovery, ms. */
  lastSeenMs: number;
  /** the content last read under the live name: if it vanished without being listed as a rotated file, a rotation raced the listing. */
  lastLive: KnownFile | null;
  /** files read to their end, by path, with the stat they had: unchanged ones are not opened (nor decompressed) again. */
  unchanged: Map<string, { ino: number; dev: number; size: number; mtimeMs: number; known: KnownFile }>;
  stallWarned: boolean;
}

/**
 * Reads container log streams: one pass, or (follow) a poll loop that survives
 * rename and copytruncate rotation and compression, identifying files by content.
 */
export class Tailer {
  private readonly streams = new Map<string, StreamState>();
  private readonly joiner: Joiner;
  private readonly readBuf = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private readonly skippedReported = new Set<string>();
  private firstPoll = true;
  /** a cursor was read: duct ran here before, so whatever it does not know appeared since and is read from its start. */
  private resumed = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  private nowMs = 0;
  /** the cursor text last written, so an idle poll writes nothing. */
  private savedCursor: string | null = null;
  readonly stats: TailerStats = { streams: 0, filesOpened: 0, filesRead: 0, bytesRead: 0, records: 0, malformed: 0 };

  constructor(private readonly opts: TailerOptions) {
    this.joiner = new Joiner(opts.maxRecordBytes, (r) => {
      this.stats.records++;
      opts.onRecord(r);
    });
    if (opts.stateDir !== null) this.restoreCursor(opts.stateDir);
  }

  /** One pass (or, with follow, until stop()); pending partials are flushed as incomplete at the end. */
  async run(): Promise<TailerStats> {
    for (;;) {
      await this.poll();
      if (!this.opts.follow || this.stopped) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.opts.pollIntervalMs);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
      if (this.stopped) break;
    }
    this.close();
    return this.stats;
  }

  /** Ask a following run() to finish after its current poll. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** One poll: discover, read every stream's new bytes in order, flush idle partials, save the cursor. */
  async poll(): Promise<void> {
    this.nowMs = this.opts.now();
    const { streams, missing } = discoverStreams(this.opts.patterns, this.opts.cwd);
    if (this.firstPoll) for (const pattern of missing) this.opts.onNotice({ kind: 'no_match', pattern });
    for (const spec of streams) {
      let st = this.streams.get(spec.id);
      if (st === undefined) {
        st = this.newStream(spec, this.nowMs);
        this.streams.set(spec.id, st);
      }
      st.lastSeenMs = this.nowMs;
      await this.pollStream(st);
    }
    this.forgetGone();
    this.stats.streams = this.streams.size;
    if (this.opts.follow) {
      for (const st of this.streams.values()) this.joiner.flush(st.slots, this.opts.now(), this.opts.idleTimeoutMs);
    }
    this.firstPoll = false;
    this.opts.afterPoll?.();
    this.persist(true);
  }

  /**
   * Drop streams whose files are all gone and that discovery has not found for
   * forgetAfterMs (deleted pods), so memory and the cursor stay bounded on a
   * long-lived node; the grace period covers a live file missing for a moment
   * during its rotation, and a stream merely outside this run's patterns is kept.
   */
  private forgetGone(): void {
    const forgetAfterMs = this.opts.forgetAfterMs ?? DEFAULT_FORGET_AFTER_MS;
    for (const [id, st] of this.streams) {
      if (this.nowMs - st.lastSeenMs < forgetAfterMs || !streamGone(st.spec)) continue;
      this.joiner.flush(st.slots, this.nowMs);
      this.streams.delete(id);
      this.opts.onNotice({ kind: 'stream_forgotten', streamId: id });
    }
  }

  private close(): void {
    const now = this.opts.now();
    for (const st of this.streams.values()) this.joiner.flush(st.slots, now);
    this.persist(false);
  }

  private newStream(spec: StreamSpec, lastSeenMs: number): StreamState {
    const meta = parsePodLogPath(spec.id);
    return { spec, meta, slots: newJoinSlots(spec.id, meta), files: [], stalledSinceMs: null, lastSeenMs, stallWarned: false, lastLive: null, unchanged: new Map() };
  }

  private async pollStream(st: StreamState): Promise<void> {
    let names: string[] = [];
    if (st.spec.restart !== null) {
      try {
        names = readdirSync(st.spec.dir);
      } catch {
        return; // the pod directory went away between discovery and now
      }
    }
    const used = new Set<KnownFile>();
    let complete = true;
    const paths = streamFiles(st.spec, names);
    for (const path of paths) {
      const outcome = await this.pollFile(st, path, used, names);
      if (outcome === 'raced') {
        complete = false; // renamed under us: the next poll sees the new layout, in order
        break;
      }
    }
    // forget files no longer present (only after a full pass, so a rotation in progress loses nothing)
    if (complete) {
      st.files = st.files.filter((f) => used.has(f));
      const present = new Set(paths);
      for (const path of st.unchanged.keys()) if (!present.has(path)) st.unchanged.delete(path);
    }
  }

  private skipOnce(file: string, reason: string): void {
    const key = `${file}\0${reason}`;
    if (this.skippedReported.has(key)) return;
    this.skippedReported.add(key);
    this.opts.onNotice({ kind: 'skipped', file, reason });
  }

  private async pollFile(st: StreamState, path: string, used: Set<KnownFile>, listed0: string[]): Promise<'ok' | 'raced'> {
    let listed: Stats;
    try {
      listed = lstatSync(path);
    } catch {
      return 'raced';
    }
    // never open a container log through a symlink: it could point anywhere on the node
    if (listed.isSymbolicLink()) {
      this.skipOnce(path, 'is a symlink');
      return 'ok';
    }
    if (!listed.isFile()) {
      this.skipOnce(path, 'is not a regular file');
      return 'ok';
    }
    const isLive = path === st.spec.id && st.spec.restart !== null;
    const seen = st.unchanged.get(path);
    if (
      seen !== undefined && seen.ino === listed.ino && seen.dev === listed.dev && seen.size === listed.size &&
      seen.mtimeMs === listed.mtimeMs && st.files.includes(seen.known) && !used.has(seen.known)
    ) {
      used.add(seen.known);
      if (isLive) this.checkStall(st, path, listed.size);
      return 'ok';
    }
    let fd: number;
    try {
      fd = openSync(path, fsc.O_RDONLY | fsc.O_NOFOLLOW);
      this.stats.filesOpened++;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ELOOP') return 'raced';
      this.skipOnce(path, `cannot be opened (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      return 'ok';
    }
    try {
      const stat = fstatSync(fd);
      if (stat.ino !== listed.ino || stat.dev !== listed.dev) return 'raced';
      const gz = path.endsWith('.gz');
      if (isLive) this.checkStall(st, path, stat.size);
      if (stat.size === 0) return 'ok';
      let head: Buffer;
      try {
        head = gz ? readGzHead(fd, stat.size) : readPlainHead(fd, stat.size);
      } catch (e) {
        this.skipOnce(path, `cannot be decompressed (${(e as Error).message})`);
        return 'ok';
      }
      if (head.length === 0) return 'ok';
      let known = st.files.find((f) => fingerprintMatches(f.fp, head));
      if (isLive && known !== st.lastLive && st.lastLive !== null && !used.has(st.lastLive) && this.rotatedSince(st, listed0)) {
        // the live file was renamed after the directory was listed: read its rest first, next poll
        return 'raced';
      }
      if (known !== undefined && used.has(known)) return 'ok'; // the same content under two names (x and x.gz while compressing)
      if (known === undefined) {
        known = { fp: fingerprintOf(head), offset: 0, complete: false, path };
        if (this.firstPoll && !this.resumed && this.opts.startAt === 'end') {
          if (gz) known.complete = true;
          else known.offset = lastLineEnd(fd, stat.size);
        }
        st.files.push(known);
      } else if (known.fp.length < head.length && !gz) {
        known.fp = fingerprintOf(head);
      }
      used.add(known);
      known.path = path;
      const remember = (): void => void st.unchanged.set(path, { ino: stat.ino, dev: stat.dev, size: stat.size, mtimeMs: stat.mtimeMs, known: known! });
      if (known.complete) {
        remember();
        return 'ok';
      }
      const format = this.opts.format ?? sniffFormat(head);
      if (format === null) {
        if (!this.skippedReported.has(path)) this.opts.onNotice({ kind: 'not_container_log', file: path });
        this.skippedReported.add(path);
        known.offset = gz ? 0 : stat.size;
        known.complete = gz;
        return 'ok';
      }
      if (isLive) st.lastLive = known;
      if (gz) {
        await this.readGz(st, known, fd, stat.size, format);
        if (known.complete) remember();
      } else {
        if (stat.size < known.offset) known.offset = 0; // truncated in place (copytruncate)
        if (stat.size > known.offset) await this.readPlain(st, known, fd, stat.size, format);
        remember();
      }
      return 'ok';
    } finally {
      closeSync(fd);
    }
  }

  /** True when the directory now holds a rotated file of this stream that the listing did not. */
  private rotatedSince(st: StreamState, listed: string[]): boolean {
    let now: string[];
    try {
      now = readdirSync(st.spec.dir);
    } catch {
      return false;
    }
    const before = new Set(listed);
    return now.some((n) => !before.has(n) && parseRotatedName(n)?.restart === st.spec.restart);
  }

  private checkStall(st: StreamState, path: string, size: number): void {
    if (size <= this.opts.rotateSizeBytes) {
      st.stalledSinceMs = null;
      st.stallWarned = false;
      return;
    }
    st.stalledSinceMs ??= this.nowMs;
    const stalledMs = this.nowMs - st.stalledSinceMs;
    if (!st.stallWarned && stalledMs >= this.opts.rotateStallMs) {
      st.stallWarned = true;
      this.opts.onNotice({ kind: 'rotation_stalled', file: path, meta: st.meta, sizeBytes: size, rotateSizeBytes: this.opts.rotateSizeBytes, stalledMs });
    }
  }

  private lineSink(st: StreamState, file: string, format: ContainerLogFormat): (buf: Buffer, start: number, end: number, dropped: number, endOffset: number) => void {
    const parse = format === 'cri' ? parseCriLine : parseDockerLine;
    const nowMs = this.nowMs;
    return (buf, start, end, dropped, endOffset) => {
      const parsed: ParsedLine = parse(buf, start, end, dropped);
      if (isMalformed(parsed)) {
        this.malformed(file, endOffset - (end - start) - dropped - 1, parsed.malformed);
        return;
      }
      const time = parseLogTime(parsed.timeText);
      if (time === null) {
        this.malformed(file, endOffset - (end - start) - dropped - 1, 'timestamp is not RFC 3339');
        return;
      }
      this.joiner.chunk(st.slots, parsed, time, file, format, nowMs);
    };
  }

  private malformed(file: string, offset: number, reason: string): void {
    this.stats.malformed++;
    this.opts.onNotice({ kind: 'malformed', file, offset, reason });
  }

  private async readPlain(st: StreamState, known: KnownFile, fd: number, size: number, format: ContainerLogFormat): Promise<void> {
    this.stats.filesRead++;
    const splitter = new LineSplitter(this.opts.maxRecordBytes + PHYSICAL_SLACK_BYTES, this.lineSink(st, known.path, format), known.offset);
    let pos = known.offset;
    let sinceYield = 0;
    while (pos < size) {
      const n = readSync(fd, this.readBuf, 0, Math.min(this.readBuf.length, size - pos), pos);
      if (n === 0) break;
      this.stats.bytesRead += n;
      splitter.push(this.readBuf, 0, n);
      pos += n;
      sinceYield += n;
      if (sinceYield >= YIELD_EVERY_BYTES) {
        sinceYield = 0;
        known.offset = splitter.consumedOffset;
        await new Promise((r) => setImmediate(r));
      }
    }
    known.offset = splitter.consumedOffset;
  }

  private async readGz(st: StreamState, known: KnownFile, fd: number, size: number, format: ContainerLogFormat): Promise<void> {
    this.stats.filesRead++;
    const splitter = new LineSplitter(this.opts.maxRecordBytes + PHYSICAL_SLACK_BYTES, this.lineSink(st, known.path, format), known.offset);
    let skip = known.offset;
    const gunzip = createGunzip();
    gunzip.on('data', (chunk: Buffer) => {
      let from = 0;
      if (skip > 0) {
        from = Math.min(skip, chunk.length);
        skip -= from;
      }
      if (from < chunk.length) {
        this.stats.bytesRead += chunk.length - from;
        splitter.push(chunk, from, chunk.length);
      }
    });
    const ended = once(gunzip, 'end');
    try {
      // fed from the fd already opened and checked, never reopened by name
      let pos = 0;
      while (pos < size) {
        const buf = Buffer.allocUnsafe(Math.min(READ_BUFFER_BYTES, size - pos));
        const n = readSync(fd, buf, 0, buf.length, pos);
        if (n === 0) break;
        pos += n;
        if (!gunzip.write(buf.subarray(0, n))) await once(gunzip, 'drain');
      }
      gunzip.end();
      await ended;
      known.offset = splitter.consumedOffset;
      known.complete = true;
    } catch (e) {
      known.offset = splitter.consumedOffset;
      gunzip.destroy();
      this.skipOnce(known.path, `cannot be decompressed (${(e as Error).message})`);
    }
  }

  private restoreCursor(stateDir: string): void {
    const loaded = loadCursor(stateDir);
    if ('problem' in loaded) {
      this.opts.onNotice({ kind: 'cursor_unreadable', reason: loaded.problem });
      return;
    }
    if (loaded.state === null) return;
    this.resumed = true;
    const now = this.opts.now();
    const get = (id: string, seenMs: number | undefined): StreamState => {
      let st = this.streams.get(id);
      if (st === undefined) {
        const spec = streamOf(id); // a stream id is a path that names its own stream
        st = this.newStream(spec, seenMs ?? now);
        this.streams.set(id, st);
      }
      return st;
    };
    for (const f of loaded.state.files) get(f.stream_id, f.seen_ms).files.push({ fp: f.fingerprint, offset: f.offset, complete: f.complete, path: f.path });
    for (const p of loaded.state.pending) {
      const st = get(p.stream_id, undefined);
      const time = parseLogTime(p.time);
      if (time === null) continue;
      const kept = Buffer.from(p.kept_base64, 'base64');
      st.slots[p.stream] = {
        file: p.file,
        format: p.format,
        timeText: p.time,
        time,
        parts: kept.length > 0 ? [kept] : [],
        keptBytes: kept.length,
        totalBytes: p.total_bytes,
        chunks: p.chunks,
        lastMs: p.last_ms,
      };
    }
  }

  /** Write the cursor; `withPending` keeps unfinished messages in it (a crash must not lose them). */
  private persist(withPending: boolean): void {
    this.opts.flushOutput?.();
    if (this.opts.stateDir === null) return;
    const files: CursorFile[] = [];
    const pending: CursorPending[] = [];
    for (const st of this.streams.values()) {
      for (const f of st.files) files.push({ stream_id: st.spec.id, path: f.path, fingerprint: f.fp, offset: f.offset, complete: f.complete, seen_ms: minuteOf(st.lastSeenMs) });
      if (!withPending) continue;
      for (const stream of ['stdout', 'stderr'] as StreamName[]) {
        const p = st.slots[stream];
        if (p === null) continue;
        pending.push({
          stream_id: st.spec.id,
          stream,
          file: p.file,
          format: p.format,
          time: p.timeText,
          chunks: p.chunks,
          total_bytes: p.totalBytes,
          kept_base64: Buffer.concat(p.parts, p.keptBytes).toString('base64'),
          last_ms: p.lastMs,
        });
      }
    }
    const body = cursorText(files, pending);
    if (body === this.savedCursor) return; // nothing moved: no write, no fsync
    try {
      saveCursor(this.opts.stateDir, body);
      this.savedCursor = body;
    } catch (e) {
      // a full or read-only disk must not stop the reading; the next poll tries again
      this.opts.onNotice({ kind: 'cursor_unwritable', reason: (e as Error).message });
    }
  }
}

/** Times in the cursor are kept to the minute, so an idle poll leaves the cursor text (and the disk) alone. */
function minuteOf(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}

/** True when no file of the stream is left (its pod directory removed, or the single file deleted). */
function streamGone(spec: StreamSpec): boolean {
  try {
    if (spec.restart === null) {
      lstatSync(spec.id);
      return false;
    }
    return streamFiles(spec, readdirSync(spec.dir)).length === 0;
  } catch {
    return true;
  }
}

/** Offset just past the last `\n` in a file's final 64 KiB (so --start-at end never starts mid-line). */
function lastLineEnd(fd: number, size: number): number {
  const n = Math.min(size, 64 * 1024);
  const buf = Buffer.allocUnsafe(n);
  const got = readSync(fd, buf, 0, n, size - n);
  const nl = buf.subarray(0, got).lastIndexOf(10);
  return nl < 0 ? size : size - n + nl + 1;
}
