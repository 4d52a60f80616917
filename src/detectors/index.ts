import { classifyDecoded, type LineClass } from './classify.js';
import { decodeLine } from './decode-line.js';
import { EventQueue } from './event-queue.js';
import { cutText, lineEvent, storageEventEvent, verdictEvent } from './events.js';
import { verdictSentence } from './headline.js';
import { HangDetector, type Joined } from './hang.js';
import { contextRank, embeddedRank, isSeparatorLine, splitLauncherPrefix, stripLauncherPrefix } from './launcher.js';
import { CLASSIFY_BIT, CONTEXT_BIT, EVAL_BIT, lineScanner, STEP_BIT } from './line-scan.js';
import { Notifier } from './notices.js';
import { FOLD_GAP_MS, OomFolder, type OomSighting } from './oom-fold.js';
import { createStepMatcher } from './step-progress.js';
import { StepWindow } from './step-window.js';
import { SummaryBuilder } from './summary.js';
import { isTracebackRest } from './traceback.js';
import type { DetectorEvent, DetectorSummary, ExternalStorageEvent, LineDetectors, LineInput, StreamName } from './types.js';
import type { EvidenceItem } from './verdict.js';

export type { DetectorEvent, DetectorSummary, ExternalStorageEvent, LineDetectors, LineInput } from './types.js';

export interface DetectorOptions {
  enabled: boolean;
  /** seconds without training-step progress that count as a stall. */
  hangThresholdSeconds: number;
  /** a user regex source recognising training-step progress lines; null for the built-in defaults. */
  stepPattern: string | null;
  /** a discriminator joins a stall when it falls between this many seconds before the stall began and now (default 300). */
  correlationWindowSeconds?: number;
  /**
   * the lines carry no real times (plain files stamped with their modification time): a CUDA
   * OOM repeated on the other stream is the same failure however far apart the stamps are.
   */
  untimed?: boolean;
}

export const DEFAULT_CORRELATION_WINDOW_SECONDS = 300;

/**
 * A CUDA OOM repeated on the other stream this close (a logger echoing the traceback) is the
 * same failure; its event waits this long for the repeat before it is written.
 */
export const CROSS_STREAM_WINDOW_MS = 2000;
/** Evidence lines in a verdict are cut shorter than event bodies. */
const EVIDENCE_DETAIL_MAX = 512;

/** A rank named by a line before a traceback (`-- Process 1 terminated ...`), for the lines after it on that stream. */
interface RankContext {
  rank: number;
  lastMs: number;
}

function classAttributes(c: LineClass): DetectorEvent['attributes'] {
  switch (c.kind) {
    case 'cuda_oom':
      return { 'cuda_oom.tried_alloc_bytes': c.tried_alloc_bytes, 'cuda_oom.gpu_index': c.gpu_index, 'cuda_oom.exception': c.exception };
    case 'device_oom':
      return { 'device_oom.device': c.device };
    case 'dataloader_error': {
      const a: DetectorEvent['attributes'] = { 'dataloader.error_class': c.errorClass.title };
      if (c.errorClass.confirm && c.capture !== null) a[c.errorClass.confirm.capture] = c.capture;
      return a;
    }
  }
}

function lineEvidence(kind: EvidenceItem['kind'], e: DetectorEvent): EvidenceItem {
  const item: EvidenceItem = { kind, timestamp: e.timestamp, detail: cutText(e.body ?? '', EVIDENCE_DETAIL_MAX).text };
  if (e.stream) item.stream = e.stream;
  if (e.line_number !== undefined) item.line_number = e.line_number;
  const cls = e.attributes['dataloader.error_class'];
  if (typeof cls === 'string') item.error_class = cls;
  const pid = e.attributes['dataloader.worker_pid'];
  if (typeof pid === 'number') item.worker_pid = pid;
  return item;
}

function disabledDetectors(): LineDetectors {
  const summary: DetectorSummary = { enabled: false, counts: {}, headline: null };
  return { line: () => undefined, cpu: () => undefined, tick: () => undefined, external: () => undefined, finish: () => summary };
}

/**
 * The detectors for one run (or one container): classify each line, fold an OOM's
 * traceback into one event per rank, and watch step progress for the dataloader-hang verdict.
 * Events go to `onEvent` as they are found (a CUDA OOM after a short wait for its repeat on
 * the other stream); `onNotice`, when given, gets one sentence per failure the moment it is
 * found, for a person watching the run; `finish` returns info.json's summary.
 */
export function createLineDetectors(opts: DetectorOptions, onEvent: (e: DetectorEvent) => void, onNotice?: (sentence: string) => void): LineDetectors {
  if (!opts.enabled) return disabledDetectors();
  const hang = new HangDetector({
    thresholdSeconds: opts.hangThresholdSeconds,
    windowSeconds: opts.correlationWindowSeconds ?? DEFAULT_CORRELATION_WINDOW_SECONDS,
  });
  const steps = new StepWindow(createStepMatcher(opts.stepPattern), hang);
  const userSteps = opts.stepPattern !== null;
  const summary = new SummaryBuilder();
  const queue = new EventQueue((e) => {
    summary.record(e);
    onEvent(e);
  });
  const crossStreamMs = opts.untimed ? Number.POSITIVE_INFINITY : CROSS_STREAM_WINDOW_MS;
  const ooms = new OomFolder(crossStreamMs, (e) => queue.holds(e));
  const notifier = onNotice ? new Notifier(onNotice) : null;
  const contexts: Record<StreamName, RankContext | null> = { stdout: null, stderr: null };

  const decide = (): void => {
    if (!hang.due) return;
    steps.settle(); // a verdict's last step must be the last one printed
    const v = hang.check();
    if (!v) return;
    const sentence = verdictSentence(v);
    queue.push(verdictEvent(hang.time, v, sentence));
    notifier?.verdict(sentence);
  };

  /** The rank a `-- Process N terminated` / `rank : N (local_rank: M)` line named for this stream, while it holds. */
  const rankContext = (input: LineInput, mask: number): number | null => {
    if (mask & CONTEXT_BIT) {
      const r = contextRank(stripLauncherPrefix(input.text));
      if (r !== null) contexts[input.stream] = { rank: r, lastMs: input.time_ms };
    }
    const ctx = contexts[input.stream];
    if (ctx === null) return null;
    if (input.time_ms - ctx.lastMs > FOLD_GAP_MS || isSeparatorLine(stripLauncherPrefix(input.text))) {
      contexts[input.stream] = null;
      return null;
    }
    ctx.lastMs = input.time_ms;
    return ctx.rank;
  };

  const report = (input: LineInput, c: LineClass, rank: number | null): DetectorEvent => {
    const attributes = classAttributes(c);
    if (rank !== null) attributes.rank = rank;
    const e = lineEvent(c.kind, input, attributes);
    queue.push(e, c.kind === 'cuda_oom' ? input.time_ms + crossStreamMs : Number.NEGATIVE_INFINITY);
    notifier?.event(e, input.time_ms);
    if (c.kind === 'dataloader_error' && c.errorClass.role !== 'none') {
      const worker = c.errorClass.role === 'worker_killed';
      const joined: Joined = {
        time_ms: input.time_ms,
        discriminator: worker ? 'worker_killed' : 'storage_event',
        evidence: lineEvidence(worker ? 'dataloader_error' : 'storage_event', e),
      };
      hang.discriminator(joined);
    }
    return e;
  };

  return {
    line(input) {
      hang.advance(input.time_ms);
      summary.linesSeen++;
      if (input.truncated) summary.linesTruncated++;
      const mask = lineScanner.scan(input.text);
      const context = mask & CONTEXT_BIT || contexts[input.stream] !== null ? rankContext(input, mask) : null;
      const decoded = mask & CLASSIFY_BIT ? decodeLine(input.text) : null;
      const c = decoded ? classifyDecoded(decoded.text) : null;
      const watching = ooms.watching(input.stream);
      if (c !== null || watching) {
        const prefix = splitLauncherPrefix(input.text);
        const named = prefix.rank ?? decoded?.rank ?? (c !== null ? embeddedRank(input.text) : null);
        const rank = named ?? context;
        if (c?.kind === 'cuda_oom') {
          const s: OomSighting = { stream: input.stream, line_number: input.line_number, time_ms: input.time_ms, rank, gpu: c.gpu_index, bytes: c.tried_alloc_bytes, reprint: named === null && context !== null };
          if (!ooms.sighting(s)) ooms.reported(report(input, c, rank), s);
        } else {
          if (watching) ooms.otherLine(input.stream, rank, input.time_ms, isTracebackRest(prefix.rest));
          if (c !== null) report(input, c, rank);
        }
      }
      // a user's step pattern has no keyword prefilter: every line may be a step line
      if (userSteps || mask & (STEP_BIT | EVAL_BIT)) steps.offer(input.text, mask, input.time_ms);
      decide();
      queue.release(hang.time);
    },
    cpu(time_ms, cpu_percent) {
      steps.settle();
      hang.cpu(time_ms, cpu_percent);
      decide();
      queue.release(hang.time);
    },
    tick(time_ms) {
      steps.settle();
      hang.advance(time_ms);
      decide();
      queue.release(hang.time);
    },
    external(ev: ExternalStorageEvent) {
      const e = storageEventEvent(ev);
      queue.push(e);
      const item: EvidenceItem = { kind: 'storage_event', timestamp: e.timestamp, detail: cutText(ev.message, EVIDENCE_DETAIL_MAX).text, reason: ev.reason };
      if (ev.object !== null) item.object = ev.object;
      hang.discriminator({ time_ms: ev.time_ms, discriminator: 'storage_event', evidence: item });
      decide();
    },
    finish(time_ms) {
      steps.settle();
      hang.advance(time_ms);
      decide();
      queue.flush();
      ooms.clear();
      contexts.stdout = null;
      contexts.stderr = null;
      return summary.build(true);
    },
  };
}
