import type { LogRecordExporter, LogRecordProcessor, ReadableLogRecord, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ExportResult } from '@opentelemetry/core';
import type { DetectorEvent } from '../detectors/types.js';
import { DUCT_VERSION } from '../version.js';
import { unrefAgentFactory } from './agent.js';
import { FIGURES, type RunFigure } from './figures.js';
import { eventLogRecord, sourceResource } from './log-record.js';
import { redactUrl, type ExportPlan, type OtlpSignal, type OtlpSignalPlan } from './plan.js';
import type { ResourceAttributes } from './resource.js';

/** Containers followed at once by `duct detect` that keep a logger of their own (one resource each); the oldest is dropped past it. */
const MAX_LOG_RESOURCES = 256;
/** How long log records gather before one request; records held at most, the oldest dropped past it. */
const LOG_BATCH_DELAY_MS = 1000;
const LOG_QUEUE_MAX = 2048;
const LOG_BATCH_MAX = 512;

type Warn = (msg: string) => void;

interface Exporting<I> {
  export(items: I, cb: (r: ExportResult) => void): void;
}

/** One export as a promise. The SDK's readers and batch processors are not used: their own timers would outlive duct's bound. */
function send<I>(exporter: Exporting<I>, items: I): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(items, resolve));
}

/** A reader that collects only when duct asks (each report, the end): no interval, no timer. */
class OnDemandReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Log records batched for LOG_BATCH_DELAY_MS (an unref'd timer), one request at a time; flush()
 * sends everything held at once. Shared by every resource's provider: the exporter groups by resource.
 */
class LogBatcher implements LogRecordProcessor {
  private held: ReadableLogRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = false;

  constructor(
    private readonly exporter: LogRecordExporter,
    private readonly onFailure: (err: Error | undefined) => void,
  ) {}

  onEmit(record: ReadWriteLogRecord): void {
    if (this.held.length >= LOG_QUEUE_MAX) this.held.shift();
    this.held.push(record);
    if (this.timer === null) {
      this.timer = setTimeout(() => this.sendBatch(), LOG_BATCH_DELAY_MS);
      this.timer.unref();
    }
  }

  private sendBatch(): void {
    this.timer = null;
    if (this.inFlight || this.held.length === 0) return;
    this.inFlight = true;
    void this.sendRecords(this.held.splice(0, LOG_BATCH_MAX)).finally(() => {
      this.inFlight = false;
      if (this.held.length > 0 && this.timer === null) this.sendBatch();
    });
  }

  /** requests under way. */
  pending = 0;

  private async sendRecords(records: ReadableLogRecord[]): Promise<void> {
    this.pending++;
    const r = await send(this.exporter, records).finally(() => this.pending--);
    if (r.code !== 0) this.onFailure(r.error);
  }

  /** Everything held, in one request, alongside any request still under way. */
  async forceFlush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.held.length > 0) await this.sendRecords(this.held.splice(0));
  }

  shutdown(): Promise<void> {
    return this.forceFlush();
  }
}

async function logExporter(p: OtlpSignalPlan): Promise<LogRecordExporter> {
  const config = { url: p.url, timeoutMillis: p.timeoutMs, httpAgentOptions: unrefAgentFactory('logs', process.env) };
  return p.protocol === 'http/json'
    ? new (await import('@opentelemetry/exporter-logs-otlp-http')).OTLPLogExporter(config)
    : new (await import('@opentelemetry/exporter-logs-otlp-proto')).OTLPLogExporter(config);
}

async function metricExporter(p: OtlpSignalPlan): Promise<PushMetricExporter> {
  const config = { url: p.url, timeoutMillis: p.timeoutMs, httpAgentOptions: unrefAgentFactory('metrics', process.env) };
  return p.protocol === 'http/json'
    ? new (await import('@opentelemetry/exporter-metrics-otlp-http')).OTLPMetricExporter(config)
    : new (await import('@opentelemetry/exporter-metrics-otlp-proto')).OTLPMetricExporter(config);
}

/**
 * OTLP over HTTP through the OpenTelemetry SDK: detector events as log records (one logger per
 * resource: a run, or each container `duct detect` follows), the run's figures as metrics sent
 * at each report and at the end. Nothing here throws at its caller; failures become one warning per signal.
 */
export class OtlpExport {
  private readonly warned = new Set<OtlpSignal>();
  private readonly loggers = new Map<string, LoggerProvider>();
  private batcher: LogBatcher | null = null;
  private meters: MeterProvider | null = null;
  private reader: OnDemandReader | null = null;
  private metricExporter: PushMetricExporter | null = null;
  private latest = new Map<string, number>();
  private metricsInFlight = false;
  private metricsPending = 0;

  private constructor(
    private readonly plan: NonNullable<ExportPlan['otlp']>,
    private readonly base: Resource,
    private readonly warn: Warn,
  ) {}

  static async open(plan: NonNullable<ExportPlan['otlp']>, attributes: ResourceAttributes, warn: Warn): Promise<OtlpExport> {
    // OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME win over duct's own, as the spec has it
    const base = resourceFromAttributes(attributes).merge(detectResources({ detectors: [envDetector] }));
    const x = new OtlpExport(plan, base, warn);
    if (plan.logs) x.batcher = new LogBatcher(await logExporter(plan.logs), (e) => x.failed('logs', e));
    if (plan.metrics) {
      x.metricExporter = await metricExporter(plan.metrics);
      x.reader = new OnDemandReader();
      x.meters = new MeterProvider({ resource: base, readers: [x.reader] });
      x.instruments();
    }
    return x;
  }

  /** The first failure of a signal is named (endpoint without credentials, and why); later ones are not repeated. */
  private failed(signal: OtlpSignal, err: Error | string | undefined): void {
    const p = this.plan[signal];
    if (p === null || this.warned.has(signal)) return;
    this.warned.add(signal);
    const why = typeof err === 'string' ? err : (err?.message ?? 'unknown error');
    this.warn(`cannot send OTLP ${signal} to ${redactUrl(p.url)}: ${why.split('\n')[0]}; the run goes on without them`);
  }

  private instruments(): void {
    const meter = this.meters!.getMeter('duct', DUCT_VERSION);
    for (const f of FIGURES) {
      const options = { description: f.help, unit: f.unit };
      const instrument = f.kind === 'counter' ? meter.createObservableCounter(f.otel, options) : meter.createObservableGauge(f.otel, options);
      instrument.addCallback((result) => {
        const v = this.latest.get(f.otel);
        if (v !== undefined) result.observe(v);
      });
    }
  }

  private async sendMetrics(): Promise<void> {
    const { resourceMetrics } = await this.reader!.collect();
    this.metricsPending++;
    const r = await send<ResourceMetrics>(this.metricExporter!, resourceMetrics).finally(() => this.metricsPending--);
    if (r.code !== 0) this.failed('metrics', r.error);
  }

  /**
   * New figures, sent now; a report's send is skipped while the previous one is still under way
   * (a slow endpoint never piles up requests), the final one always goes.
   */
  async figures(figures: readonly RunFigure[], final: boolean): Promise<void> {
    this.latest = new Map(figures.map((f) => [f.otel, f.value]));
    if (!this.reader || (this.metricsInFlight && !final)) return;
    this.metricsInFlight = true;
    try {
      await this.sendMetrics();
    } catch (err) {
      this.failed('metrics', err as Error);
    } finally {
      this.metricsInFlight = false;
    }
  }

  event(e: DetectorEvent): void {
    if (!this.batcher) return;
    const r = eventLogRecord(e);
    this.loggerFor(e.source).getLogger('duct', DUCT_VERSION).emit({
      eventName: r.eventName,
      timestamp: r.timestampMs,
      observedTimestamp: Date.now(),
      severityNumber: r.severityNumber,
      severityText: r.severityText,
      body: r.body,
      attributes: r.attributes,
    });
  }

  private loggerFor(source: DetectorEvent['source']): LoggerProvider {
    const extra = sourceResource(source);
    const key = JSON.stringify(extra);
    let provider = this.loggers.get(key);
    if (provider === undefined) {
      // a dropped provider's records are already in the shared batcher
      if (this.loggers.size >= MAX_LOG_RESOURCES) this.loggers.delete(this.loggers.keys().next().value as string);
      const resource = Object.keys(extra).length === 0 ? this.base : this.base.merge(resourceFromAttributes(extra));
      provider = new LoggerProvider({ resource, processors: [this.batcher!] });
      this.loggers.set(key, provider);
    }
    return provider;
  }

  /** Name each signal with a request still under way as failed for `why` (the flush stops waiting for it). */
  abandon(why: string): void {
    if ((this.batcher?.pending ?? 0) > 0) this.failed('logs', why);
    if (this.metricsPending > 0) this.failed('metrics', why);
  }

  /** Send the held log records; the final figures are sent by figures(…, true). The caller bounds the wait. */
  async flush(): Promise<void> {
    await this.batcher?.forceFlush();
  }
}
