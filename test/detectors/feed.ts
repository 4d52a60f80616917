import { createLineDetectors, type DetectorOptions } from '../../src/detectors/index.js';
import type { DetectorEvent, DetectorSummary, LineDetectors, StreamName } from '../../src/detectors/types.js';

export const T0 = Date.UTC(2026, 10, 22, 5, 0, 0);

/** A detector set on a fake clock: times are seconds after T0; line numbers count per stream. */
export class Feed {
  readonly events: DetectorEvent[] = [];
  readonly detectors: LineDetectors;
  private readonly lineNumbers: Record<StreamName, number> = { stdout: 0, stderr: 0 };

  constructor(opts: Partial<DetectorOptions> = {}) {
    this.detectors = createLineDetectors({ enabled: true, hangThresholdSeconds: 60, stepPattern: null, correlationWindowSeconds: 30, ...opts }, (e) =>
      this.events.push(e),
    );
  }

  line(atSeconds: number, text: string, stream: StreamName = 'stderr', truncated = false): this {
    this.detectors.line({ stream, line_number: ++this.lineNumbers[stream], text, truncated, time_ms: T0 + atSeconds * 1000 });
    return this;
  }

  lines(atSeconds: number, text: string, stream: StreamName = 'stderr'): this {
    for (const l of text.split('\n')) this.line(atSeconds, l, stream);
    return this;
  }

  /** "step N" lines for steps from..to, one second apart starting at `atSeconds`. */
  steps(from: number, to: number, atSeconds: number): this {
    for (let s = from; s <= to; s++) this.line(atSeconds + (s - from), `step ${s} loss=0.5`, 'stdout');
    return this;
  }

  tick(atSeconds: number): this {
    this.detectors.tick(T0 + atSeconds * 1000);
    return this;
  }

  /** tick every second over (from, to]. */
  ticks(from: number, to: number): this {
    for (let t = from + 1; t <= to; t++) this.tick(t);
    return this;
  }

  cpu(atSeconds: number, percent: number): this {
    this.detectors.cpu(T0 + atSeconds * 1000, percent);
    return this;
  }

  finish(atSeconds: number): DetectorSummary {
    return this.detectors.finish(T0 + atSeconds * 1000);
  }

  /** finish at `atSeconds` (late enough for every held event to be written); the summary is in `summary`. */
  done(atSeconds = 10_000): this {
    this.summary = this.finish(atSeconds);
    return this;
  }

  summary: DetectorSummary | null = null;

  of(kind: string): DetectorEvent[] {
    return this.events.filter((e) => e.kind === kind);
  }
}
