import type { DetectorEvent } from './types.js';

/** Bound on events waiting behind a held one; past it the oldest goes out whatever its hold. */
const MAX_QUEUED = 1024;

/**
 * Events in the order they were found. An event may be held until a time (a CUDA OOM
 * waits a moment for its repeat on the other stream, so the one event names both lines);
 * the events after it wait behind it, so the output stays in the order of detection.
 */
export class EventQueue {
  private readonly items: { event: DetectorEvent; releaseAtMs: number }[] = [];
  private readonly waiting = new Set<DetectorEvent>();

  constructor(private readonly out: (e: DetectorEvent) => void) {}

  /** Queue `event`; it goes out once the clock reaches `releaseAtMs` and everything before it went out. */
  push(event: DetectorEvent, releaseAtMs = Number.NEGATIVE_INFINITY): void {
    if (this.items.length === 0 && releaseAtMs === Number.NEGATIVE_INFINITY) this.out(event);
    else {
      this.items.push({ event, releaseAtMs });
      this.waiting.add(event);
    }
  }

  /** True while `event` is still waiting (it can still be amended). */
  holds(event: DetectorEvent): boolean {
    return this.waiting.has(event);
  }

  release(nowMs: number): void {
    let n = 0;
    while (n < this.items.length && (this.items[n]!.releaseAtMs <= nowMs || this.items.length - n > MAX_QUEUED)) {
      const { event } = this.items[n++]!;
      this.waiting.delete(event);
      this.out(event);
    }
    if (n > 0) this.items.splice(0, n);
  }

  flush(): void {
    this.release(Number.POSITIVE_INFINITY);
  }
}
