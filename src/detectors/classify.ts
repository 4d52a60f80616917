import { CUDA_OOM_ANCHOR, DEVICE_OOM_MARKERS, ERROR_CLASSES, type ErrorClass } from './error-classes.js';
import { parseCudaOom, type CudaOomFields } from './cuda-oom.js';

/** What one line is, when it is anything the detectors know. */
export type LineClass =
  | ({ kind: 'cuda_oom' } & CudaOomFields)
  | { kind: 'device_oom'; device: string }
  | { kind: 'dataloader_error'; errorClass: ErrorClass; capture: number | null };

/** Keep only anchors that no shorter anchor already covers, so the prefilter does the least work. */
function minimalAnchors(all: readonly string[]): string[] {
  const unique = [...new Set(all)].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const a of unique) if (!kept.some((k) => a.includes(k))) kept.push(a);
  return kept;
}

// Every class needs one of these; 'out of memory' covers CUDA and the other devices.
const PREFILTER: readonly string[] = minimalAnchors([
  'out of memory',
  CUDA_OOM_ANCHOR,
  ...DEVICE_OOM_MARKERS.map((m) => m.substring),
  ...ERROR_CLASSES.flatMap((c) => c.substrings),
]);

/** Cheap test run on every line: a handful of substring searches, no regex, no allocation. */
export function mayClassify(text: string): boolean {
  for (let i = 0; i < PREFILTER.length; i++) if (text.includes(PREFILTER[i]!)) return true;
  return false;
}

function matchesClass(text: string, c: ErrorClass): RegExpExecArray | true | null {
  if (!c.substrings.some((s) => text.includes(s))) return null;
  if (!c.confirm) return true;
  return c.confirm.pattern.exec(text);
}

/** Classify one line: CUDA OOM first, then other devices' OOM, then the error-class table in order. */
export function classifyLine(text: string): LineClass | null {
  if (!mayClassify(text)) return null;
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
