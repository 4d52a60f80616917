import { classifyCandidate, type LineClass } from './classify.js';
import { cutText, lineEvent, storageEventEvent, verdictEvent } from './events.js';
import { verdictSentence } from './headline.js';
import { HangDetector, type Joined } from './hang.js';
import { CLASSIFY_BIT, EVAL_BIT, lineScanner } from './line-scan.js';

/** Step lines closer together than this on one stream are not parsed again: stalls are measured in seconds. */
const STEP_RESOLUTION_MS = 200;
import { createStepMatcher } from './step-progress.js';
import { SummaryBuilder } from './summary.js';
import { isTracebackLine } from './traceback.js';
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
}

export const DEFAULT_CORRELATION_WINDOW_SECONDS = 300;

/** Lines of a traceback after an OOM fold into its event only while they keep coming this close together. */
const OOM_FOLD_GAP_MS = 10_000;
/** Evidence lines in a verdict are cut shorter than event bodies. */
const EVIDENCE_DETAIL_MAX = 512;

/** An OOM traceback being printed on one stream: the GPUs already reported, and when its last line came. */
interface OomIncident {
  gpus: Set<number | null>;
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
 * traceback into one event, and watch step progress for the dataloader-hang verdict.
 * Events go to `onEvent` as they are found; `finish` returns info.json's summary.
 */
export function createLineDetectors(opts: DetectorOptions, onEvent: (e: DetectorEvent) => void): LineDetectors {
  if (!opts.enabled) return disabledDetectors();
  const steps = createStepMatcher(opts.stepPattern);
  const hang = new HangDetector({
    thresholdSeconds: opts.hangThresholdSeconds,
    windowSeconds: opts.correlationWindowSeconds ?? DEFAULT_CORRELATION_WINDOW_SECONDS,
  });
  const summary = new SummaryBuilder();
  const incidents: Record<StreamName, OomIncident | null> = { stdout: null, stderr: null };
  const lastStepMs: Record<StreamName, number> = { stdout: -Infinity, stderr: -Infinity };

  const emit = (e: DetectorEvent): void => {
    summary.record(e);
    onEvent(e);
  };
  const decide = (): void => {
    const v = hang.check();
    if (v) emit(verdictEvent(hang.time, v, verdictSentence(v)));
  };

  /**
   * True when this OOM line repeats one already reported in the traceback still being
   * printed on its stream (same GPU; a line without a GPU matches any).
   */
  const foldsIntoIncident = (input: LineInput, c: LineClass | null): boolean => {
    const inc = incidents[input.stream];
    const isOom = c?.kind === 'cuda_oom';
    if (inc && (input.time_ms - inc.lastMs > OOM_FOLD_GAP_MS || (!isOom && !isTracebackLine(input.text)))) incidents[input.stream] = null;
    const open = incidents[input.stream];
    if (!open) {
      if (isOom) incidents[input.stream] = { gpus: new Set([c.gpu_index]), lastMs: input.time_ms };
      return false;
    }
    open.lastMs = input.time_ms;
    if (!isOom) return false;
    if (c.gpu_index === null || open.gpus.has(null) || open.gpus.has(c.gpu_index)) return true;
    open.gpus.add(c.gpu_index);
    return false;
  };

  return {
    line(input) {
      hang.advance(input.time_ms);
      summary.linesSeen++;
      if (input.truncated) summary.linesTruncated++;
      const mask = lineScanner.scan(input.text);
      const c = mask & CLASSIFY_BIT ? classifyCandidate(input.text) : null;
      if (!foldsIntoIncident(input, c) && c) {
        const e = lineEvent(c.kind, input, classAttributes(c));
        emit(e);
        if (c.kind === 'dataloader_error' && c.errorClass.role !== 'none') {
          const worker = c.errorClass.role === 'worker_killed';
          const joined: Joined = {
            time_ms: input.time_ms,
            discriminator: worker ? 'worker_killed' : 'storage_event',
            evidence: lineEvidence(worker ? 'dataloader_error' : 'storage_event', e),
          };
          hang.discriminator(joined);
        }
      }
      // a training loop prints a step line per step: progress must be noticed, not every
      // line parsed (most of duct's cost on a busy log); eval markers are always checked
      if (input.time_ms - lastStepMs[input.stream] >= STEP_RESOLUTION_MS || mask & EVAL_BIT) {
        const s = steps.match(input.text, mask);
        if (s?.kind === 'step') {
          lastStepMs[input.stream] = input.time_ms;
          hang.step(input.time_ms, s.step);
        } else if (s?.kind === 'eval') hang.evalPhase(input.time_ms);
      }
      decide();
    },
    cpu(time_ms, cpu_percent) {
      hang.cpu(time_ms, cpu_percent);
      decide();
    },
    tick(time_ms) {
      hang.advance(time_ms);
      decide();
    },
    external(ev: ExternalStorageEvent) {
      const e = storageEventEvent(ev);
      emit(e);
      const item: EvidenceItem = { kind: 'storage_event', timestamp: e.timestamp, detail: cutText(ev.message, EVIDENCE_DETAIL_MAX).text, reason: ev.reason };
      if (ev.object !== null) item.object = ev.object;
      hang.discriminator({ time_ms: ev.time_ms, discriminator: 'storage_event', evidence: item });
      decide();
    },
    finish(time_ms) {
      hang.advance(time_ms);
      decide();
      incidents.stdout = null;
      incidents.stderr = null;
      return summary.build(true);
    },
  };
}
