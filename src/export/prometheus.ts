import { join } from 'node:path';
import { Counter, Gauge, Pushgateway, Registry } from 'prom-client';
import { writeFileAtomic } from '../files/atomic-json.js';
import type { RunFigure } from './figures.js';
import { redactUrl, type ExportPlan } from './plan.js';

/** The Pushgateway `job` of every push; the run's own name is its `job_name` label (Prometheus's `job` stays the scrape's). */
export const PUSH_JOB = 'duct';

/** The run's figures as a registry of their own (text format via `metrics()`), every series with the run's labels. */
export function promRegistry(figures: readonly RunFigure[], labels: ReadonlyArray<[string, string]>): Registry {
  const registry = new Registry();
  const names = labels.map(([k]) => k);
  const values = Object.fromEntries(labels);
  for (const f of figures) {
    const common = { name: f.prom, help: f.help, labelNames: names, registers: [registry] };
    if (f.kind === 'counter') new Counter(common).inc(values, f.value);
    else new Gauge(common).set(values, f.value);
  }
  return registry;
}

/** One file per job, host and SLURM ids, so a rerun replaces its own file and series never repeat. */
export function promFileName(labels: ReadonlyArray<[string, string]>): string {
  return `duct_${labels.map(([, v]) => v.replace(/[^A-Za-z0-9_.-]/g, '_')).join('_')}.prom`;
}

/**
 * node_exporter's textfile collector (written atomically at each report and at the end, where it
 * stays with duct_run_finished 1) and the Pushgateway (PUT of the run's group at the end, and at
 * each report with --pushgateway-reports). Failures become one warning per destination.
 */
export class PromExport {
  private readonly warned = new Set<string>();
  private pushing: Promise<void> | null = null;
  /** textfile writes in call order, so a report's write never lands after the final one. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly plan: Pick<ExportPlan, 'promTextfileDir' | 'pushgatewayUrl' | 'pushEveryReport' | 'requestTimeoutMs' | 'labels'>,
    private readonly warn: (msg: string) => void,
  ) {}

  private failed(where: string, err: unknown): void {
    if (this.warned.has(where)) return;
    this.warned.add(where);
    this.warn(`cannot ${where}: ${String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 300)}; the run goes on without it`);
  }

  /** Write (and push when due) the run's figures; resolves when both are done or have failed. */
  async figures(figures: readonly RunFigure[], final: boolean): Promise<void> {
    const registry = promRegistry(figures, this.plan.labels);
    const dir = this.plan.promTextfileDir;
    if (dir !== null) {
      const path = join(dir, promFileName(this.plan.labels));
      const text = registry.metrics();
      this.writing = this.writing.then(async () => {
        try {
          writeFileAtomic(path, await text);
        } catch (err) {
          this.failed(`write ${path}`, err);
        }
      });
      await this.writing;
    }
    if (this.plan.pushgatewayUrl !== null && (final || this.plan.pushEveryReport)) {
      if (this.pushing !== null && !final) return; // the previous push is still under way
      await this.pushing; // pushes stay in order: the final one lands last
      this.pushing = this.push(registry).finally(() => (this.pushing = null));
      await this.pushing;
    }
  }

  /** Name the Pushgateway as failed for `why` when a push is still under way (the flush stops waiting for it). */
  abandon(why: string): void {
    if (this.pushing !== null) this.failed(`push to the Pushgateway ${redactUrl(this.plan.pushgatewayUrl!)}`, why);
  }

  private async push(registry: Registry): Promise<void> {
    const url = this.plan.pushgatewayUrl!;
    const gateway = new Pushgateway(url, { timeout: this.plan.requestTimeoutMs }, registry);
    try {
      await gateway.push({ jobName: PUSH_JOB, groupings: Object.fromEntries(this.plan.labels) });
    } catch (err) {
      this.failed(`push to the Pushgateway ${redactUrl(url)}`, err);
    }
  }
}
