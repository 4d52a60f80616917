import type { MeasurementEngine, UsageRecord } from '../aggregation/types.js';

export interface SamplerOptions {
  engine: MeasurementEngine;
  sampleIntervalMs: number;
  reportIntervalMs: number;
  /** each report's record, as it is produced. */
  onReport: (record: UsageRecord) => void;
  onError: (err: unknown) => void;
}

/**
 * The timing loop: one sample per interval, never overlapping, and a report
 * whenever a report interval has passed. Sampling starts at once, so even a
 * command shorter than the interval has a reading.
 */
export class Sampler {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private inFlight: Promise<void> = Promise.resolve();
  private lastReport = performance.now();

  constructor(private readonly opts: SamplerOptions) {}

  start(): void {
    this.tick();
  }

  private tick(): void {
    if (this.stopped) return;
    const started = performance.now();
    this.inFlight = this.step().catch(this.opts.onError);
    void this.inFlight.then(() => {
      if (this.stopped) return;
      const wait = Math.max(0, this.opts.sampleIntervalMs - (performance.now() - started));
      this.timer = setTimeout(() => this.tick(), wait);
    });
  }

  private async step(): Promise<void> {
    await this.opts.engine.sample();
    if (performance.now() - this.lastReport >= this.opts.reportIntervalMs - 1) await this.report();
  }

  private async report(): Promise<void> {
    this.lastReport = performance.now();
    const record = await this.opts.engine.report();
    if (record) this.opts.onReport(record);
  }

  /** Stop sampling, wait for a sample in flight, and write the last (partial) window. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
    // one last look: survivors' counters move until now
    await this.opts.engine.sample().catch(this.opts.onError);
    await this.report().catch(this.opts.onError);
  }
}
