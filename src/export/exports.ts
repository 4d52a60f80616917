import type { DetectorEvent } from '../detectors/types.js';
import type { RunInfo } from '../files/info.js';
import { runFigures } from './figures.js';
import type { OtlpExport } from './otlp.js';
import type { ExportPlan } from './plan.js';
import type { PromExport } from './prometheus.js';
import type { ResourceAttributes } from './resource.js';

/**
 * The exporters a plan asks for, each loaded only when asked for (the OpenTelemetry SDK is large;
 * prom-client is not needed for OTLP alone). Loaded once the command already runs.
 */
export class Exports {
  private constructor(
    private readonly otlp: OtlpExport | null,
    private readonly prom: PromExport | null,
  ) {}

  static async open(plan: ExportPlan, resource: ResourceAttributes, warn: (msg: string) => void): Promise<Exports> {
    const otlp = plan.otlp ? await (await import('./otlp.js')).OtlpExport.open(plan.otlp, resource, warn) : null;
    const prom = plan.promTextfileDir !== null || plan.pushgatewayUrl !== null ? new (await import('./prometheus.js')).PromExport(plan, warn) : null;
    return new Exports(otlp, prom);
  }

  /** A report's figures: OTLP metrics sent, the textfile rewritten (and pushed with --pushgateway-reports). */
  report(info: RunInfo): void {
    const figures = runFigures(info, Date.now());
    void this.otlp?.figures(figures, false);
    void this.prom?.figures(figures, false);
  }

  event(e: DetectorEvent): void {
    this.otlp?.event(e);
  }

  /** The flush bound passed: every destination still busy gets its one warning with `why`. */
  abandon(why: string): void {
    this.otlp?.abandon(why);
    this.prom?.abandon(why);
  }

  /** The final figures (when a run ended) and every pending record sent; the caller bounds the wait. */
  async finish(info: RunInfo | null): Promise<void> {
    const figures = info ? runFigures(info, Date.now()) : null;
    await Promise.all([this.otlp?.flush(), figures ? this.otlp?.figures(figures, true) : undefined, figures ? this.prom?.figures(figures, true) : undefined]);
  }
}
