import type { HangDetector } from './hang.js';
import { EVAL_BIT } from './line-scan.js';
import type { StepMatcher } from './step-progress.js';

/** Step lines closer together than this are not parsed one by one: stalls are measured in seconds. */
export const STEP_RESOLUTION_MS = 200;
/** Candidates kept between parses; when full they are parsed at once. */
const MAX_PENDING = 256;

interface Candidate {
  text: string;
  mask: number;
  time_ms: number;
}

/**
 * Feeds step progress to the hang detector without parsing every step line (a training
 * loop prints one per step; parsing them all is most of the detectors' cost on a busy log).
 * A line that may be a step line (its keyword scan says so) inside the resolution window is
 * kept, not dropped, and the window's lines are parsed newest first when it closes, so the
 * last step printed is never lost, whatever the stream and however the output arrived
 * (a burst of buffered lines carries one arrival time). Eval markers are checked at once.
 */
export class StepWindow {
  private readonly pending: Candidate[] = [];
  private lastParsedMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly matcher: StepMatcher,
    private readonly hang: HangDetector,
  ) {}

  /** A line whose keyword scan has the step or eval bit. */
  offer(text: string, mask: number, time_ms: number): void {
    if (mask & EVAL_BIT || time_ms - this.lastParsedMs >= STEP_RESOLUTION_MS) {
      this.settle();
      this.apply(text, mask, time_ms);
      return;
    }
    this.pending.push({ text, mask, time_ms });
    if (this.pending.length >= MAX_PENDING) this.settle();
  }

  /** Parse what is pending: the newest step line among it is the progress made. */
  settle(): void {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const c = this.pending[i]!;
      if (this.apply(c.text, c.mask, c.time_ms)) break;
    }
    this.pending.length = 0;
  }

  /** True when the line was a training step. */
  private apply(text: string, mask: number, time_ms: number): boolean {
    const s = this.matcher.match(text, mask);
    if (s?.kind === 'step') {
      this.lastParsedMs = time_ms;
      this.hang.step(time_ms, s.step);
      return true;
    }
    if (s?.kind === 'eval') this.hang.evalPhase(time_ms);
    return false;
  }
}
