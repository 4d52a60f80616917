import type { DetectorEvent, StreamName } from './types.js';

/**
 * One CUDA OOM failure is one event, per rank. A failure is printed many times: its
 * traceback repeats the message (a chained exception, torch.multiprocessing's copy in
 * the parent, torchrun's failure summary), and a logger may repeat it on the other
 * stream. What folds:
 *   - on one stream, an OOM line while the traceback of an earlier one from the same rank
 *     is still being printed (lines keep looking like a traceback, at most FOLD_GAP_MS
 *     apart), for the same GPU; a line naming no rank folds into any rank's traceback;
 *   - across streams, an OOM for the same rank, GPU and bytes within the cross-stream
 *     window: the first event also names the other line (`also_at`);
 *   - a launcher's reprint of a rank's failure (torchrun's summary, torch.multiprocessing's
 *     copy in the parent), however late, when that rank already reported the same GPU and bytes.
 * Two ranks that each report `GPU 0` (one GPU per process) stay two events.
 */

/** Lines of a traceback after an OOM fold into its event only while they keep coming this close together. */
export const FOLD_GAP_MS = 10_000;

export interface OomSighting {
  stream: StreamName;
  line_number: number;
  time_ms: number;
  rank: number | null;
  gpu: number | null;
  bytes: number | null;
  /** the rank came from a launcher's report about a process (`-- Process 1 terminated`, torchrun's summary): a reprint. */
  reprint?: boolean;
}

/** An OOM traceback being printed on one stream by one rank (null: a rank the lines do not name). */
interface Incident {
  stream: StreamName;
  rank: number | null;
  gpus: Set<number | null>;
  lastMs: number;
}

/** An OOM event still waiting in the output queue, which a repeat on the other stream can still amend. */
interface Pending {
  event: DetectorEvent;
  sighting: OomSighting;
  streams: Set<StreamName>;
}

/** Bound on OOM events remembered for a repeat on the other stream. */
const MAX_PENDING = 64;

const sameOrUnknown = (a: number | null, b: number | null): boolean => a === null || b === null || a === b;

export class OomFolder {
  private incidents: Incident[] = [];
  private pending: Pending[] = [];
  /** failures reported with a rank, for a launcher's late reprint of them. */
  private ranked: OomSighting[] = [];

  /**
   * @param crossStreamMs how far apart a repeat on the other stream may be; Infinity for lines without real times.
   * @param stillQueued whether an event has not gone out yet (only those can be amended).
   */
  constructor(
    private readonly crossStreamMs: number,
    private readonly stillQueued: (e: DetectorEvent) => boolean,
  ) {}

  /** True while some OOM traceback is open on `stream`: only then do other lines need a look. */
  watching(stream: StreamName): boolean {
    return this.incidents.length > 0 && this.incidents.some((i) => i.stream === stream);
  }

  /**
   * A line that is not an OOM, on a stream with an open traceback: a traceback-shaped line
   * keeps its rank's traceback (or, naming no rank, every one on the stream) open; any
   * other line ends its own rank's.
   */
  otherLine(stream: StreamName, rank: number | null, time_ms: number, tracebackShaped: boolean): void {
    this.expire(time_ms);
    this.incidents = this.incidents.filter((inc) => {
      if (inc.stream !== stream) return true;
      if (tracebackShaped) {
        if (rank === null || rank === inc.rank) inc.lastMs = time_ms;
        return true;
      }
      return rank !== inc.rank;
    });
  }

  /**
   * An OOM line. Returns true when it repeats a failure already reported (the line is
   * folded, the event it belongs to may have been amended); false when it is a new
   * failure: the caller emits its event and passes it to `reported`.
   */
  sighting(s: OomSighting): boolean {
    this.expire(s.time_ms);
    const open = this.openIncident(s);
    if (open) {
      open.lastMs = s.time_ms;
      if (s.gpu === null || open.gpus.has(null) || open.gpus.has(s.gpu)) return true;
      open.gpus.add(s.gpu); // another GPU in the same traceback: its own failure
      return false;
    }
    const repeat = this.crossStreamRepeat(s);
    if (repeat) {
      const ref = { stream: s.stream, line_number: s.line_number };
      (repeat.event.also_at ??= []).push(ref);
      repeat.streams.add(s.stream);
      // the repeat may name the rank the first line did not
      if (repeat.sighting.rank === null && s.rank !== null) {
        repeat.sighting.rank = s.rank;
        repeat.event.attributes.rank = s.rank;
      }
      this.incidents.push({ stream: s.stream, rank: s.rank ?? repeat.sighting.rank, gpus: new Set([s.gpu]), lastMs: s.time_ms });
      return true;
    }
    this.incidents.push({ stream: s.stream, rank: s.rank, gpus: new Set([s.gpu]), lastMs: s.time_ms });
    return s.reprint === true && this.ranked.some((r) => r.rank === s.rank && r.gpu === s.gpu && r.bytes === s.bytes);
  }

  /** The event of a new failure, kept while it is queued so a repeat on the other stream can name itself in it. */
  reported(event: DetectorEvent, s: OomSighting): void {
    this.pending = this.pending.filter((p) => this.stillQueued(p.event) && Math.abs(s.time_ms - p.sighting.time_ms) <= this.crossStreamMs);
    if (this.pending.length >= MAX_PENDING) this.pending.shift();
    this.pending.push({ event, sighting: s, streams: new Set([s.stream]) });
    if (s.rank !== null) {
      if (this.ranked.length >= MAX_PENDING) this.ranked.shift();
      this.ranked.push(s);
    }
  }

  clear(): void {
    this.incidents = [];
    this.pending = [];
    this.ranked = [];
  }

  private expire(now: number): void {
    if (this.incidents.length > 0) this.incidents = this.incidents.filter((i) => now - i.lastMs <= FOLD_GAP_MS);
  }

  private openIncident(s: OomSighting): Incident | null {
    let best: Incident | null = null;
    for (const inc of this.incidents) {
      if (inc.stream !== s.stream) continue;
      if (s.rank !== null && inc.rank !== s.rank) continue;
      if (best === null || inc.lastMs >= best.lastMs) best = inc;
    }
    return best;
  }

  private crossStreamRepeat(s: OomSighting): Pending | null {
    for (const p of this.pending) {
      const o = p.sighting;
      if (p.streams.has(s.stream) || !this.stillQueued(p.event)) continue;
      if (Math.abs(s.time_ms - o.time_ms) > this.crossStreamMs) continue;
      if (sameOrUnknown(s.rank, o.rank) && s.gpu === o.gpu && s.bytes === o.bytes) return p;
    }
    return null;
  }
}
