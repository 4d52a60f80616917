import { closeSync, openSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { blocksOnWrite, writeAll } from './fd-write.js';
import { LineSplitter, type FrameHandler, type LineHandler } from './line-splitter.js';
import { passed } from './reclaim.js';

/**
 * How much may wait in a stream's buffer before reading pauses: far above a
 * stream's 16 KiB mark (pausing at every chunk makes the copy stop-and-go), and
 * small enough that duct's memory stays flat behind a slow reader.
 */
const IN_FLIGHT_BYTES = 2 * 1024 * 1024;

/** Where a passed-through stream goes: duct's own stdout or stderr. */
export interface TeeTerminal {
  /** its descriptor, written directly where a write can block (a file, /dev/null, a terminal); null: the stream only. */
  fd: number | null;
  /** the stream, for a pipe or socket (non-blocking: a full one answers EAGAIN); made only when needed. */
  stream: () => Writable;
}

export interface TeeOptions {
  source: Readable;
  /** duct's own stdout/stderr when this stream is passed through, else null. */
  terminal: TeeTerminal | null;
  /** <prefix>stdout|stderr when captured, else null. */
  capturePath: string | null;
  /** every line, for the detectors; null when they are off. */
  onLine: LineHandler | null;
  /** progress-bar frames (`\r`) of a line still being written, for the detectors. */
  onFrame?: FrameHandler | null;
  /** called once per failing target (e.g. disk full), with a sentence for the user. */
  onWriteError: (message: string) => void;
}

/**
 * Copies one of the command's streams byte for byte to the terminal and to its
 * capture file, and line by line to the detectors. Each chunk is written as it
 * comes, with no copy: synchronously to the capture file and to a terminal
 * that can block, through the stream to a pipe, where reading pauses while it
 * is congested so duct's memory stays flat whatever passes.
 */
export class StreamTee {
  readonly done: Promise<void>;
  private fileFd: number | null = null;
  /** the terminal's descriptor while it is written synchronously. */
  private terminalFd: number | null = null;
  private terminalStream: Writable | null = null;
  private readonly splitter: LineSplitter | null;
  private resolveDone!: () => void;
  private finished = false;
  /** streams that have not drained yet; reading is paused while any has not. */
  private congested = 0;

  constructor(private readonly opts: TeeOptions) {
    this.splitter = opts.onLine ? new LineSplitter(opts.onLine, undefined, opts.onFrame ?? null) : null;
    this.done = new Promise((r) => (this.resolveDone = r));
    if (opts.capturePath) {
      try {
        this.fileFd = openSync(opts.capturePath, 'w');
      } catch (err) {
        this.captureFailed(err as Error);
      }
    }
    const t = opts.terminal;
    if (t) {
      if (t.fd !== null && blocksOnWrite(t.fd)) this.terminalFd = t.fd;
      else this.useStream();
    }
    opts.source.on('data', (chunk: Buffer) => this.onData(chunk));
    opts.source.on('end', () => this.finish());
    opts.source.on('error', () => this.finish());
  }

  /** From now on the terminal is written through its stream. */
  private useStream(): Writable {
    this.terminalFd = null;
    const stream = this.opts.terminal!.stream();
    stream.on('error', () => {
      // our reader went away (EPIPE, e.g. `duct ... | head`): keep capturing, stop passing through
      this.terminalStream = null;
    });
    return (this.terminalStream = stream);
  }

  private captureFailed(err: Error): void {
    this.opts.onWriteError(`cannot write captured output to ${this.opts.capturePath}: ${err.message}; output still passes through, the capture file is incomplete`);
    if (this.fileFd !== null) closeSync(this.fileFd);
    this.fileFd = null;
  }

  private onData(chunk: Buffer): void {
    if (this.terminalFd !== null) {
      try {
        const at = writeAll(this.terminalFd, chunk);
        // a terminal someone made non-blocking: the rest, and all that follows, through the stream
        if (at < chunk.length) this.toStream(chunk.subarray(at));
      } catch {
        this.terminalFd = null; // EPIPE, EIO (the terminal hung up): stop passing through
      }
    } else if (this.terminalStream) this.toStream(chunk);
    if (this.fileFd !== null) {
      try {
        writeAll(this.fileFd, chunk);
      } catch (err) {
        this.captureFailed(err as Error);
      }
    }
    this.splitter?.push(chunk);
    passed(chunk.length);
  }

  private toStream(chunk: Buffer): void {
    const stream = this.terminalStream ?? this.useStream();
    try {
      if (!stream.write(chunk) && stream.writableLength > IN_FLIGHT_BYTES) this.waitFor(stream);
    } catch {
      this.terminalStream = null; // synchronous EPIPE on a closed pipe
    }
  }

  /**
   * Backpressure: a pipe to a slow reader buffers in duct's memory (stdout to a
   * pipe is asynchronous in Node), so stop reading the command until every
   * congested stream has drained; the command then blocks on its own full pipe.
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
    this.splitter?.end();
    if (this.fileFd !== null) {
      try {
        closeSync(this.fileFd);
      } catch (err) {
        this.opts.onWriteError(`cannot write captured output to ${this.opts.capturePath}: ${(err as Error).message}; the capture file may be incomplete`);
      }
      this.fileFd = null;
    }
    this.resolveDone();
  }

  /** Stop reading: the command has exited but something it left behind still holds the pipe. */
  detach(): void {
    this.opts.source.removeAllListeners('data');
    this.opts.source.destroy();
    this.finish();
  }
}
