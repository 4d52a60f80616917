import type { DetectorEvent } from '../detectors/types.js';

/** OTel severity numbers (the log data model's table): the ones detector events use. */
export const SEVERITY = { INFO: 9, WARN: 13, ERROR: 17 } as const;
type SeverityText = keyof typeof SEVERITY;

/** A failure that ends or stalls the job is an ERROR; evidence around it (storage events, rotation) a WARN. */
const KIND_SEVERITY: Record<string, SeverityText> = {
  cuda_oom: 'ERROR',
  device_oom: 'ERROR',
  dataloader_error: 'ERROR',
  verdict: 'ERROR',
  storage_event: 'WARN',
  log_rotation_stalled: 'WARN',
};

export type AnyValue = string | number | boolean | AnyValue[] | { [k: string]: AnyValue };

/** A detector event as the parts of an OTel log record. */
export interface EventLogRecord {
  eventName: string;
  timestampMs: number;
  severityNumber: number;
  severityText: SeverityText;
  body: string;
  attributes: Record<string, AnyValue>;
}

/** The kubelet-path fields of an event's source, as the k8s.* resource attributes of semantic conventions. */
const K8S_RESOURCE: Record<string, string> = {
  namespace: 'k8s.namespace.name',
  pod: 'k8s.pod.name',
  pod_uid: 'k8s.pod.uid',
  container: 'k8s.container.name',
  restart_count: 'k8s.container.restart_count',
};

/** Resource attributes of the container an event came from (empty for a plain file or a run). */
export function sourceResource(source: DetectorEvent['source']): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (!source) return out;
  for (const [field, attr] of Object.entries(K8S_RESOURCE)) {
    const v = source[field];
    if (v !== undefined) out[attr] = v;
  }
  return out;
}

/** JSON-ish to an OTLP AnyValue: nulls dropped (OTLP attributes have no null). */
function anyValue(v: unknown): AnyValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(anyValue).filter((x): x is AnyValue => x !== undefined);
  if (typeof v === 'object') {
    const out: Record<string, AnyValue> = {};
    for (const [k, x] of Object.entries(v)) {
      const a = anyValue(x);
      if (a !== undefined) out[k] = a;
    }
    return out;
  }
  return String(v);
}

/**
 * The log record of one event: its attributes exactly as in events.jsonl (customer-stable names),
 * plus where it was seen (`log.iostream`, `log.file.path`, `duct.line_number`) and, on a verdict,
 * the whole verdict object under `duct.verdict`.
 */
export function eventLogRecord(e: DetectorEvent): EventLogRecord {
  const attributes: Record<string, AnyValue> = { 'duct.event.kind': e.kind };
  for (const [k, v] of Object.entries(e.attributes)) {
    const a = anyValue(v);
    if (a !== undefined) attributes[k] = a;
  }
  if (e.stream !== undefined) attributes['log.iostream'] = e.stream;
  if (e.line_number !== undefined) attributes['duct.line_number'] = e.line_number;
  if (e.body_truncated) attributes['duct.body_truncated'] = true;
  if (e.line_truncated) attributes['duct.line_truncated'] = true;
  if (e.source) {
    for (const [k, v] of Object.entries(e.source)) {
      if (k === 'file') attributes['log.file.path'] = v;
      else if (!(k in K8S_RESOURCE)) attributes[`duct.source.${k}`] = v;
    }
  }
  if (e.verdict !== undefined) {
    const verdict = anyValue(e.verdict);
    if (verdict !== undefined) attributes['duct.verdict'] = verdict;
  }
  const severityText = KIND_SEVERITY[e.kind] ?? 'INFO';
  return {
    eventName: `duct.${e.kind}`,
    timestampMs: Date.parse(e.timestamp),
    severityNumber: SEVERITY[severityText],
    severityText,
    body: e.body ?? e.kind,
    attributes,
  };
}
