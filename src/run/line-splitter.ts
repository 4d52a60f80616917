/** Longest line handed to the detectors, in bytes; longer ones are cut and flagged. */
export const MAX_LINE = 1024 * 1024;

export type LineHandler = (text: string, truncated: boolean) => void;
/** A progress bar's frame: text ended by `\r` inside a line that has not ended yet. */
export type FrameHandler = (text: string) => void;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into lines across chunk boundaries. Newlines are found
 * in the bytes (memchr speed) and only the bytes a line keeps are decoded, once
 * the line is whole, so a multi-byte character split between chunks decodes
 * right and a flood without newlines (binary output) costs no decoding at all.
 * At most MAX_LINE bytes of an unfinished line are kept: memory stays bounded.
 */
export class LineSplitter {
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private partialTruncated = false;

  constructor(
    private readonly onLine: LineHandler,
    private readonly maxLine = MAX_LINE,
    /** tqdm-style bars redraw with `\r` and end their line only when done: frames let a watcher see progress live. */
    private readonly onFrame: FrameHandler | null = null,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    let nl = chunk.indexOf(LF);
    while (nl !== -1) {
      if (this.partialBytes === 0 && !this.partialTruncated && nl - start <= this.maxLine) {
        // the common case: a whole line inside this chunk, decoded straight from it
        const end = nl > start && chunk[nl - 1] === CR ? nl - 1 : nl;
        this.onLine(chunk.toString('utf8', start, end), false);
      } else {
        this.keep(chunk, start, nl);
        this.emitPartial();
      }
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) {
      this.keep(chunk, start, chunk.length);
      if (this.onFrame && chunk.indexOf(CR, start) !== -1) this.emitLastFrame();
    }
  }

  /** End of stream: a last line without a newline still counts. */
  end(): void {
    if (this.partialBytes > 0 || this.partialTruncated) this.emitPartial();
  }

  /** Append bytes [from, to) of `chunk` to the line in progress, up to the cap (copied: the chunk is not ours to hold). */
  private keep(chunk: Buffer, from: number, to: number): void {
    const room = this.maxLine - this.partialBytes;
    if (to - from > room) this.partialTruncated = true;
    const end = Math.min(to, from + room);
    if (end > from) {
      this.partial.push(Buffer.from(chunk.subarray(from, end)));
      this.partialBytes += end - from;
    }
  }

  private emitPartial(): void {
    const line = this.partial.length === 1 ? this.partial[0]! : Buffer.concat(this.partial, this.partialBytes);
    const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
    const truncated = this.partialTruncated;
    this.partial = [];
    this.partialBytes = 0;
    this.partialTruncated = false;
    this.onLine(line.toString('utf8', 0, end), truncated);
  }

  private emitLastFrame(): void {
    const line = Buffer.concat(this.partial, this.partialBytes);
    this.partial = [line];
    const end = line.lastIndexOf(CR);
    if (end <= 0) return;
    const begin = line.lastIndexOf(CR, end - 1) + 1;
    if (end > begin) this.onFrame!(line.toString('utf8', begin, end));
  }
}
