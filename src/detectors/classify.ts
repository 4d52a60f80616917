import { CUDA_OOM_ANCHOR, DEVICE_OOM_MARKERS, ERROR_CLASSES, type ErrorClass } from './error-classes.js';
import { parseCudaOom, type CudaOomFields } from './cuda-oom.js';
import { CLASSIFY_BIT, lineScanner } from './line-scan.js';
import { decodeLine } from './decode-line.js';

/** What one line is, when it is anything the detectors know. */
export type LineClass =
  | ({ kind: 'cuda_oom' } & CudaOomFields)
  | { kind: 'device_oom'; device: string }
  | { kind: 'dataloader_error'; errorClass: ErrorClass; capture: number | null };

/** Cheap test run on every line: one table-driven pass, no regex, no allocation. */
export function mayClassify(text: string): boolean {
  return (lineScanner.scan(text) & CLASSIFY_BIT) !== 0;
}

function matchesClass(text: string, c: ErrorClass): RegExpExecArray | true | null {
  if (!c.substrings.some((s) => text.includes(s))) return null;
  if (!c.confirm) return true;
  return c.confirm.pattern.exec(text);
}

/** Classify one line: CUDA OOM first, then other devices' OOM, then the error-class table in order. */
export function classifyLine(text: string): LineClass | null {
  return mayClassify(text) ? classifyCandidate(text) : null;
}

/** The exact checks, for a line the keyword scan has already let through (JSON-wrapped and escaped lines decoded first). */
export function classifyCandidate(text: string): LineClass | null {
  return classifyDecoded(decodeLine(text).text);
}

/** The exact checks on a candidate's decoded text (see decode-line.ts). */
export function classifyDecoded(text: string): LineClass | null {
  if (text.includes(CUDA_OOM_ANCHOR)) return { kind: 'cuda_oom', ...parseCudaOom(text) };
  for (const m of DEVICE_OOM_MARKERS) if (text.includes(m.substring)) return { kind: 'device_oom', device: m.device };
  let fallback: ErrorClass | null = null;
  for (const c of ERROR_CLASSES) {
    const m = matchesClass(text, c);
    if (m === null) continue;
    if (c.fallback) {
      fallback ??= c;
      continue;
    }
    const capture = m === true || m[1] === undefined ? null : Number(m[1]);
    return { kind: 'dataloader_error', errorClass: c, capture };
  }
  return fallback ? { kind: 'dataloader_error', errorClass: fallback, capture: null } : null;
}
