import type { Discriminator, EvidenceItem, HangVerdict } from './verdict.js';

/**
 * The dataloader-hang verdict (pattern 7). A stall alone never fires: it needs a
 * discriminator (a worker-killed line, or storage evidence) inside the correlation
 * window, i.e. no earlier than `window` before the stall began and no later than now.
 * Guards: the warm-up steps 0 and 1, an eval phase, and stalls shorter than the threshold.
 * One verdict per stall; when both discriminators have joined, worker_killed wins.
 */

export interface HangOptions {
  thresholdSeconds: number;
  windowSeconds: number;
  /** the CPU fallback only counts a collapse after the session was at least this busy (percent). */
  busyCpuPercent?: number;
  /** a collapse is a rate under this fraction of the highest rate seen. */
  collapseFraction?: number;
}

export interface Joined {
  time_ms: number;
  discriminator: Discriminator;
  evidence: EvidenceItem;
}

/** Bound on remembered discriminators; old ones fall out of every window anyway. */
const MAX_JOINED = 256;
/** Steps at or below this are warm-up (prefetch, worker start): a stall there never fires. */
const LAST_WARMUP_STEP = 1;

export class HangDetector {
  private readonly thresholdMs: number;
  private readonly windowMs: number;
  private readonly busy: number;
  private readonly collapseFraction: number;
  private now = -Infinity;
  private stepLines = 0;
  private lastStep: number | null = null;
  private lastProgressMs: number | null = null;
  private inEval = false;
  private cpuPeak = 0;
  private collapseSinceMs: number | null = null;
  private joined: Joined[] = [];
  private firedForStallStart: number | null = null;

  constructor(private readonly opts: HangOptions) {
    this.thresholdMs = opts.thresholdSeconds * 1000;
    this.windowMs = opts.windowSeconds * 1000;
    this.busy = opts.busyCpuPercent ?? 50;
    this.collapseFraction = opts.collapseFraction ?? 0.1;
  }

  /** The detector's clock: the latest time any line, CPU reading or tick carried (ms since the epoch). */
  get time(): number {
    return this.now;
  }

  advance(time_ms: number): void {
    if (time_ms > this.now) this.now = time_ms;
  }

  /** A training-step line; a number equal to the last one is a redraw, not progress. */
  step(time_ms: number, step: number | null): void {
    this.advance(time_ms);
    const n = step ?? this.stepLines;
    this.stepLines++;
    if (n === this.lastStep && !this.inEval) return;
    this.lastStep = n;
    this.lastProgressMs = time_ms;
    this.inEval = false;
  }

  /** An eval-phase line: no stall verdict until the next training step. */
  evalPhase(time_ms: number): void {
    this.advance(time_ms);
    this.inEval = true;
  }

  cpu(time_ms: number, percent: number): void {
    this.advance(time_ms);
    if (percent > this.cpuPeak) this.cpuPeak = percent;
    const collapsed = this.cpuPeak >= this.busy && percent < this.cpuPeak * this.collapseFraction;
    if (!collapsed) this.collapseSinceMs = null;
    else this.collapseSinceMs ??= time_ms;
  }

  /**
   * True when check() could give a verdict now: a discriminator was seen and a stall has
   * lasted the threshold. Only then must the progress it was told be the latest.
   */
  get due(): boolean {
    if (this.joined.length === 0) return false;
    const stall = this.stall();
    return stall !== null && stall.startMs !== this.firedForStallStart && this.now - stall.startMs >= this.thresholdMs;
  }

  discriminator(j: Joined): void {
    this.joined.push(j);
    if (this.joined.length > MAX_JOINED) this.joined.splice(0, this.joined.length - MAX_JOINED);
  }

  /** The stall now in progress, or null when there is none or a guard holds. */
  private stall(): { startMs: number; signal: HangVerdict['stall_signal'] } | null {
    if (this.inEval) return null;
    if (this.stepLines > 0) {
      if (this.lastProgressMs === null || this.lastStep === null || this.lastStep <= LAST_WARMUP_STEP) return null;
      return { startMs: this.lastProgressMs, signal: 'step_progress' };
    }
    return this.collapseSinceMs === null ? null : { startMs: this.collapseSinceMs, signal: 'cpu_collapse' };
  }

  /** Decide at the current time; returns a verdict at most once per stall. */
  check(): HangVerdict | null {
    if (this.joined.length === 0) return null;
    const stall = this.stall();
    if (stall === null || stall.startMs === this.firedForStallStart) return null;
    const stallMs = this.now - stall.startMs;
    if (stallMs < this.thresholdMs) return null;
    const from = stall.startMs - this.windowMs;
    const inWindow = this.joined.filter((j) => j.time_ms >= from && j.time_ms <= this.now).sort((a, b) => a.time_ms - b.time_ms);
    if (inWindow.length === 0) return null;
    this.firedForStallStart = stall.startMs;
    const discriminator: Discriminator = inWindow.some((j) => j.discriminator === 'worker_killed') ? 'worker_killed' : 'storage_event';
    const stallSeconds = Math.floor(stallMs / 1000);
    const lastStep = stall.signal === 'step_progress' ? this.lastStep : null;
    const detail =
      stall.signal === 'step_progress'
        ? `no training-step progress for ${stallSeconds} s after step ${lastStep}`
        : `session CPU rate collapsed below ${Math.round(this.collapseFraction * 100)}% of its peak for ${stallSeconds} s`;
    return {
      pattern_id: '7',
      name: 'dataloader_hang',
      discriminator,
      confidence: stall.signal === 'step_progress' ? 'full' : 'partial',
      stall_seconds: stallSeconds,
      stall_signal: stall.signal,
      last_step: lastStep,
      threshold_seconds: this.opts.thresholdSeconds,
      correlation_window_seconds: this.opts.windowSeconds,
      evidence_trail: [{ kind: 'training_step_stall', timestamp: new Date(stall.startMs).toISOString(), detail }, ...inWindow.map((j) => j.evidence)],
    };
  }
}
