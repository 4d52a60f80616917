import { StringDecoder } from 'node:string_decoder';

/** Longest line handed to the detectors, in UTF-16 code units (≈ bytes for ASCII); longer ones are cut and flagged. */
export const MAX_LINE = 1024 * 1024;

export type LineHandler = (text: string, truncated: boolean) => void;
/** A progress bar's frame: text ended by `\r` inside a line that has not ended yet. */
export type FrameHandler = (text: string) => void;

/**
 * Splits a byte stream into lines across chunk boundaries. Decodes each chunk
 * once (a multi-byte character split between chunks is held by the decoder),
 * and keeps at most MAX_LINE of an unfinished line, so memory stays bounded.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private partialTruncated = false;

  constructor(
    private readonly onLine: LineHandler,
    private readonly maxLine = MAX_LINE,
    /** tqdm-style bars redraw with `\r` and end their line only when done: frames let a watcher see progress live. */
    private readonly onFrame: FrameHandler | null = null,
  ) {}

  push(chunk: Buffer): void {
    this.feed(this.decoder.write(chunk));
  }

  /** End of stream: a last line without a newline still counts. */
  end(): void {
    this.feed(this.decoder.end());
    if (this.partial !== '' || this.partialTruncated) this.emit(this.partial, this.partialTruncated);
    this.partial = '';
    this.partialTruncated = false;
  }

  private feed(text: string): void {
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      let line = text.slice(start, nl);
      let truncated = this.partialTruncated;
      if (this.partial !== '') {
        line = this.partial + line;
        this.partial = '';
      }
      this.partialTruncated = false;
      if (line.length > this.maxLine) {
        line = line.slice(0, this.maxLine);
        truncated = true;
      }
      this.emit(line.endsWith('\r') ? line.slice(0, -1) : line, truncated);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) {
      const room = this.maxLine - this.partial.length;
      if (text.length - start > room) this.partialTruncated = true;
      if (room > 0) this.partial += text.slice(start, start + room);
      if (this.onFrame && text.indexOf('\r', start) !== -1) this.emitLastFrame();
    }
  }

  private emitLastFrame(): void {
    const end = this.partial.lastIndexOf('\r');
    if (end <= 0) return;
    const frame = this.partial.slice(this.partial.lastIndexOf('\r', end - 1) + 1, end);
    if (frame !== '') this.onFrame!(frame);
  }

  private emit(text: string, truncated: boolean): void {
    this.onLine(text, truncated);
  }
}
