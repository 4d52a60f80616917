/** Receives one physical line: buf[start, end) without its `\n`, plus how many bytes past the cap were dropped. */
export type PhysicalLineSink = (buf: Buffer, start: number, end: number, droppedBytes: number, endOffset: number) => void;

/**
 * Splits a byte stream into physical lines with bounded memory: lines inside one chunk
 * are passed as views (no copy); only a line spanning chunks is copied, and at most
 * `maxLineBytes` of it is kept, the rest counted, however long the line runs.
 */
export class LineSplitter {
  private carry: Buffer | null = null;
  private carryLen = 0;
  private dropped = 0;
  /** file offset of the next byte pushed. */
  private offset: number;
  /** file offset just past the last `\n` seen: where a reader resumes. */
  private lineStart: number;

  constructor(
    private readonly maxLineBytes: number,
    private readonly sink: PhysicalLineSink,
    startOffset = 0,
  ) {
    this.offset = startOffset;
    this.lineStart = startOffset;
  }

  /** Offset just past the last complete line. */
  get consumedOffset(): number {
    return this.lineStart;
  }

  /** Bytes of an unfinished last line held back. */
  get pendingBytes(): number {
    return this.offset - this.lineStart;
  }

  push(chunk: Buffer, start = 0, end = chunk.length): void {
    let pos = start;
    if (this.carryLen > 0 || this.dropped > 0) {
      const nl = chunk.indexOf(10, pos);
      if (nl < 0 || nl >= end) {
        this.append(chunk, pos, end);
        this.offset += end - pos;
        return;
      }
      this.append(chunk, pos, nl);
      this.offset += nl + 1 - pos;
      pos = nl + 1;
      const carry = this.carry!;
      const len = this.carryLen;
      const dropped = this.dropped;
      this.carryLen = 0;
      this.dropped = 0;
      this.lineStart = this.offset;
      this.sink(carry, 0, len, dropped, this.offset);
    }
    while (pos < end) {
      const nl = chunk.indexOf(10, pos);
      if (nl < 0 || nl >= end) break;
      const lineLen = nl - pos;
      this.offset += lineLen + 1;
      this.lineStart = this.offset;
      if (lineLen > this.maxLineBytes) this.sink(chunk, pos, pos + this.maxLineBytes, lineLen - this.maxLineBytes, this.offset);
      else this.sink(chunk, pos, nl, 0, this.offset);
      pos = nl + 1;
    }
    if (pos < end) {
      this.append(chunk, pos, end);
      this.offset += end - pos;
    }
  }

  private append(chunk: Buffer, from: number, to: number): void {
    const room = this.maxLineBytes - this.carryLen;
    const take = Math.min(room, to - from);
    if (take > 0) {
      if (this.carry === null || this.carry.length < this.carryLen + take) {
        const grown = Buffer.allocUnsafe(Math.min(this.maxLineBytes, Math.max(this.carryLen + take, (this.carry?.length ?? 0) * 2, 4096)));
        if (this.carry !== null) this.carry.copy(grown, 0, 0, this.carryLen);
        this.carry = grown;
      }
      chunk.copy(this.carry, this.carryLen, from, from + take);
      this.carryLen += take;
    }
    this.dropped += to - from - take;
  }
}
