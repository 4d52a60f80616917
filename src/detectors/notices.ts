import { errorClassByTitle } from './error-classes.js';
import { cutText } from './events.js';
import { cudaOomSentence, workerKilledSentence } from './headline.js';
import type { DetectorEvent } from './types.js';

/**
 * One line for a person watching a live run, said when a failure is found rather than
 * only in the end-of-run summary: `CUDA out of memory on GPU 0 (rank 1) trying to allocate
 * 2.50 GiB`. A failure class that floods (an S3 throttle retried a thousand times) is
 * said once a minute per rank, not once a line.
 */

/** The same notice (kind, class and rank) is not repeated within this long, in log time. */
export const NOTICE_REPEAT_MS = 60_000;
const DETAIL_MAX = 200;

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** The sentence for a line event, or null for kinds that give no live notice. */
export function noticeSentence(e: DetectorEvent): string | null {
  const rank = num(e.attributes.rank);
  const ofRank = rank === null ? '' : ` (rank ${rank})`;
  switch (e.kind) {
    case 'cuda_oom':
      return cudaOomSentence(num(e.attributes['cuda_oom.gpu_index']), num(e.attributes['cuda_oom.tried_alloc_bytes']), rank);
    case 'device_oom':
      return `${String(e.attributes['device_oom.device'])} out of memory${ofRank}`;
    case 'dataloader_error': {
      const cls = errorClassByTitle(String(e.attributes['dataloader.error_class']));
      if (cls?.role === 'worker_killed' && cls.confirm) return workerKilledSentence(num(e.attributes['dataloader.worker_pid'])) + ofRank;
      return `${cls?.title ?? 'DataLoader error'}${ofRank}: ${cutText(e.body ?? '', DETAIL_MAX).text}`;
    }
    default:
      return null;
  }
}

/** Says each notice once per NOTICE_REPEAT_MS per kind, class and rank. */
export class Notifier {
  private readonly lastSaid = new Map<string, number>();

  constructor(private readonly say: (sentence: string) => void) {}

  event(e: DetectorEvent, time_ms: number): void {
    const sentence = noticeSentence(e);
    if (sentence === null) return;
    const key = `${e.kind}|${String(e.attributes['dataloader.error_class'] ?? '')}|${String(e.attributes.rank ?? '')}`;
    const last = this.lastSaid.get(key);
    if (last !== undefined && time_ms - last < NOTICE_REPEAT_MS) return;
    this.lastSaid.set(key, time_ms);
    this.say(sentence);
  }

  /** A verdict is said every time: there is at most one per stall. */
  verdict(sentence: string): void {
    this.say(sentence);
  }
}
