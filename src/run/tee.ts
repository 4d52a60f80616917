import { createWriteStream, type WriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { LineSplitter, type FrameHandler, type LineHandler } from './line-splitter.js';
import { passed } from './reclaim.js';

/**
 * How much may wait in a target's buffer before reading pauses: far above a
 * stream's 16 KiB mark (pausing at every batch makes the copy stop-and-go), and
 * small enough that duct's memory stays flat behind a slow reader.
 */
const IN_FLIGHT_BYTES = 2 * 1024 * 1024;

export interface TeeOptions {
  source: Readable;
  /** duct's own stdout/stderr when this stream is passed through, else null. */
  terminal: Writable | null;
  /** <prefix>stdout|stderr when captured, else null. */
  capturePath: string | null;
  /** that file, already created (O_EXCL, so never through a planted link). */
  captureFd?: number;
  /** every line, for the detectors; null when they are off. */
  onLine: LineHandler | null;
  /** progress-bar frames (`\r`) of a line still being written, for the detectors. */
  onFrame?: FrameHandler | null;
  /** called once per failing target (e.g. disk full), with a sentence for the user. */
  onWriteError: (message: string) => void;
}

/**
 * Copies one of the command's streams byte for byte to the terminal and to its
 * capture file, and line by line to the detectors. The source is paused while
 * the capture file is congested, so duct's memory stays flat whatever passes.
 */
export class StreamTee {
  readonly done: Promise<void>;
  private file: WriteStream | null;
  private terminal: Writable | null;
  private readonly splitter: LineSplitter | null;
  private resolveDone!: () => void;
  private finished = false;
  private pending: Buffer[] = [];
  /** targets that have not drained yet; reading is paused while any has not. */
  private congested = 0;

  constructor(private readonly opts: TeeOptions) {
    this.terminal = opts.terminal;
    this.splitter = opts.onLine ? new LineSplitter(opts.onLine, undefined, opts.onFrame ?? null) : null;
    this.file = opts.capturePath ? createWriteStream(opts.capturePath, opts.captureFd === undefined ? { flags: 'w' } : { fd: opts.captureFd }) : null;
    this.done = new Promise((r) => (this.resolveDone = r));
    this.file?.on('error', (err) => {
      if (this.file === null) return; // stopCapture: already said
      opts.onWriteError(`cannot write captured output to ${opts.capturePath}: ${err.message}; output still passes through, the capture file is incomplete`);
      this.file?.destroy();
      this.file = null;
    });
    this.terminal?.on('error', () => {
      // our reader went away (EPIPE, e.g. `duct ... | head`): keep capturing, stop passing through
      this.terminal = null;
    });
    opts.source.on('data', (chunk: Buffer) => this.onData(chunk));
    opts.source.on('end', () => this.finish());
    opts.source.on('error', () => this.finish());
  }

  private onData(chunk: Buffer): void {
    this.pending.push(chunk);
    if (this.pending.length === 1) setImmediate(this.flush);
  }

  /**
   * libuv hands over many reads per turn of the loop (tiny ones when the command
   * writes unbuffered); handling them as one batch in the same turn makes every
   * per-read cost (a pipe write, a file write, a decode) a per-batch cost, with
   * no added latency for interactive output.
   */
  private readonly flush = (): void => {
    const chunks = this.pending;
    if (chunks.length === 0) return;
    this.pending = [];
    const batch = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    if (this.terminal) {
      try {
        if (!this.terminal.write(batch) && this.terminal.writableLength > IN_FLIGHT_BYTES) this.waitFor(this.terminal);
      } catch {
        this.terminal = null; // synchronous EPIPE on a closed pipe
      }
    }
    if (this.file && !this.file.write(batch) && this.file.writableLength > IN_FLIGHT_BYTES) this.waitFor(this.file);
    this.splitter?.push(batch);
    passed(batch.length);
  };

  /**
   * Backpressure: a pipe to a slow reader buffers in duct's memory (stdout to a
   * pipe is asynchronous in Node), so stop reading the command until every
   * congested target has drained; the command then blocks on its own full pipe.
   */
  private waitFor(target: Writable): void {
    this.congested++;
    if (this.congested === 1) this.opts.source.pause();
    let settled = false;
    const release = () => {
      if (settled) return;
      settled = true;
      target.off('drain', release);
      target.off('error', release);
      target.off('close', release);
      if (--this.congested === 0) this.opts.source.resume();
    };
    target.once('drain', release);
    target.once('error', release);
    target.once('close', release);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.flush();
    this.splitter?.end();
    const file = this.file;
    if (!file) {
      this.resolveDone();
      return;
    }
    file.end(() => this.resolveDone());
    file.once('error', () => this.resolveDone());
  }

  /** Stop writing the capture file (its disk is full); resolves once the file is closed, so no write of it is still in flight. */
  stopCapture(): Promise<void> {
    const file = this.file;
    this.file = null;
    if (!file || file.closed) return Promise.resolve();
    return new Promise((resolve) => {
      file.once('close', () => resolve());
      file.destroy();
    });
  }

  /** Stop reading: the command has exited but something it left behind still holds the pipe. */
  detach(): void {
    this.opts.source.removeAllListeners('data');
    this.opts.source.destroy();
    this.finish();
  }
}
