import type { DetectorEvent, ExternalStorageEvent, LineInput } from './types.js';
import type { HangVerdict } from './verdict.js';

/** Longest body kept in an event, in UTF-16 code units; the rest stays in the captured output. */
export const BODY_MAX = 4096;

/** Cut text to `max` code units without splitting a surrogate pair. */
export function cutText(text: string, max: number): { text: string; cut: boolean } {
  if (text.length <= max) return { text, cut: false };
  let end = max;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return { text: text.slice(0, end), cut: true };
}

export function isoTime(time_ms: number): string {
  return new Date(time_ms).toISOString();
}

/** The one constructor of line events, so every event's keys come in the same order. */
export function lineEvent(kind: string, input: LineInput, attributes: DetectorEvent['attributes']): DetectorEvent {
  const body = cutText(input.text, BODY_MAX);
  const e: DetectorEvent = {
    timestamp: isoTime(input.time_ms),
    kind,
    stream: input.stream,
    line_number: input.line_number,
    attributes,
    body: body.text,
  };
  if (body.cut) e.body_truncated = true;
  if (input.truncated) e.line_truncated = true;
  if (input.source) e.source = input.source;
  return e;
}

export function storageEventEvent(ev: ExternalStorageEvent): DetectorEvent {
  const body = cutText(ev.message, BODY_MAX);
  const e: DetectorEvent = {
    timestamp: isoTime(ev.time_ms),
    kind: 'storage_event',
    attributes: { 'k8s.reason': ev.reason, 'k8s.object': ev.object },
    body: body.text,
  };
  if (body.cut) e.body_truncated = true;
  return e;
}

export function verdictEvent(time_ms: number, verdict: HangVerdict, sentence: string): DetectorEvent {
  return {
    timestamp: isoTime(time_ms),
    kind: 'verdict',
    attributes: {
      'verdict.pattern_id': verdict.pattern_id,
      'verdict.discriminator': verdict.discriminator,
      'verdict.confidence': verdict.confidence,
    },
    body: sentence,
    verdict,
  };
}
