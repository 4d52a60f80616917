import type { ExternalStorageEvent } from './types.js';

/**
 * Storage evidence from `kubectl get events -o json`: the kubelet's FailedMount and
 * FailedAttachVolume, and VolumeMountFailure as some storage drivers report it.
 * Reads core/v1 Events (message, involvedObject, lastTimestamp) and events.k8s.io/v1
 * ones (note, regarding, eventTime, deprecatedLastTimestamp).
 */

export const STORAGE_EVENT_REASONS: readonly string[] = ['FailedMount', 'FailedAttachVolume', 'VolumeMountFailure'];

export interface ParsedKubernetesEvents {
  storage: ExternalStorageEvent[];
  /** one sentence per item that could not be used. */
  skipped: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function eventTime(e: Obj): number | null {
  const meta = isObj(e.metadata) ? e.metadata : {};
  const series = isObj(e.series) ? e.series : {};
  for (const v of [e.lastTimestamp, e.deprecatedLastTimestamp, series.lastObservedTime, e.eventTime, e.firstTimestamp, e.deprecatedFirstTimestamp, meta.creationTimestamp]) {
    const s = str(v);
    if (s === null) continue;
    const t = Date.parse(s);
    if (Number.isFinite(t)) return t;
  }
  return null;
}

function objectName(e: Obj): string | null {
  const o = isObj(e.involvedObject) ? e.involvedObject : isObj(e.regarding) ? e.regarding : null;
  if (!o) return null;
  const kind = str(o.kind);
  const ns = str(o.namespace);
  const name = str(o.name);
  if (name === null) return null;
  return `${kind ?? 'Object'} ${ns ? `${ns}/` : ''}${name}`;
}

function itemsOf(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc;
  if (isObj(doc)) {
    if (Array.isArray(doc.items)) return doc.items;
    if (str(doc.reason) !== null) return [doc];
  }
  throw new Error('expected `kubectl get events -o json` output: an object with an "items" array');
}

/** Pick the storage events out of parsed kubectl JSON (a List, or a single Event), oldest first; throws on another shape. */
export function parseKubernetesEvents(doc: unknown): ParsedKubernetesEvents {
  const items = itemsOf(doc);
  const storage: ExternalStorageEvent[] = [];
  const skipped: string[] = [];
  items.forEach((item, i) => {
    if (!isObj(item)) {
      skipped.push(`item ${i} is not an object`);
      return;
    }
    const reason = str(item.reason);
    if (reason === null || !STORAGE_EVENT_REASONS.includes(reason)) return;
    const time_ms = eventTime(item);
    if (time_ms === null) {
      skipped.push(`item ${i} (${reason}) has no timestamp`);
      return;
    }
    storage.push({ time_ms, reason, message: str(item.message) ?? str(item.note) ?? '', object: objectName(item) });
  });
  storage.sort((a, b) => a.time_ms - b.time_ms);
  return { storage, skipped };
}
