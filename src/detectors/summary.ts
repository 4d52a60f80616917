import { ERROR_CLASSES, errorClassByTitle } from './error-classes.js';
import { cudaOomSentence, verdictSentence, workerKilledSentence } from './headline.js';
import type { DetectorEvent, DetectorSummary } from './types.js';

/** info.json's record of the first CUDA OOM. */
export interface FirstCudaOom {
  timestamp: string;
  stream: string | null;
  line_number: number | null;
  tried_alloc_bytes: number | null;
  gpu_index: number | null;
}

/** The key an event is counted under: its error class's short id for dataloader errors, its kind otherwise. */
export function countKey(e: DetectorEvent): string {
  const cls = e.attributes['dataloader.error_class'];
  if (e.kind !== 'dataloader_error' || typeof cls !== 'string') return e.kind;
  return errorClassByTitle(cls)?.id ?? cls;
}

const numOrNull = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** Tallies events as they pass and names the most important one for the end-of-run line. */
export class SummaryBuilder {
  private readonly counts: Record<string, number> = {};
  private firstCudaOom: FirstCudaOom | null = null;
  private firstVerdict: DetectorEvent | null = null;
  private firstWorkerKilled: DetectorEvent | null = null;
  private firstOther: DetectorEvent | null = null;
  linesSeen = 0;
  linesTruncated = 0;

  record(e: DetectorEvent): void {
    const key = countKey(e);
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    if (e.kind === 'cuda_oom') {
      this.firstCudaOom ??= {
        timestamp: e.timestamp,
        stream: e.stream ?? null,
        line_number: e.line_number ?? null,
        tried_alloc_bytes: numOrNull(e.attributes['cuda_oom.tried_alloc_bytes']),
        gpu_index: numOrNull(e.attributes['cuda_oom.gpu_index']),
      };
    } else if (e.kind === 'verdict') this.firstVerdict ??= e;
    else if (key === 'worker_killed') this.firstWorkerKilled ??= e;
    else this.firstOther ??= e;
  }

  private headline(): string | null {
    if (this.firstCudaOom) return cudaOomSentence(this.firstCudaOom.gpu_index, this.firstCudaOom.tried_alloc_bytes);
    if (this.firstVerdict?.verdict) return verdictSentence(this.firstVerdict.verdict);
    if (this.firstWorkerKilled) return workerKilledSentence(numOrNull(this.firstWorkerKilled.attributes['dataloader.worker_pid']));
    const e = this.firstOther;
    if (!e) return null;
    const key = countKey(e);
    const n = this.counts[key] ?? 1;
    const times = n > 1 ? ` (${n} lines)` : '';
    if (e.kind === 'device_oom') return `${String(e.attributes['device_oom.device'])} out of memory${times}`;
    if (e.kind === 'storage_event') return `Kubernetes storage event ${String(e.attributes['k8s.reason'])}${n > 1 ? ` (${n} events)` : ''}`;
    const title = ERROR_CLASSES.find((c) => c.id === key)?.title ?? key;
    return `${title}${times}`;
  }

  build(enabled: boolean): DetectorSummary {
    return {
      enabled,
      counts: { ...this.counts },
      headline: this.headline(),
      first_cuda_oom: this.firstCudaOom,
      verdict: this.firstVerdict?.verdict ?? null,
      lines_seen: this.linesSeen,
      lines_truncated: this.linesTruncated,
    };
  }
}
