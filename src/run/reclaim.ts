import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (opts?: { type: 'minor' | 'major'; execution?: 'sync' }) => void;

/**
 * Output passes through as 64 KiB Buffers that live a few microseconds, but V8
 * only collects them once tens of MB of external memory have piled up. A
 * collection every 32 MB passed (a few ms each; a young-generation scavenge
 * alone does not release them) keeps duct's memory flat whatever the volume:
 * 65 MB peak for 1 MB passed, 100 MB for 100 MB, 105 MB for 1 GB (144 MB for 1 GB without).
 */
function loadGc(): Gc | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as Gc) : null;
  } catch {
    return null; // the runtime refused: memory is then bounded by V8's own heuristics
  }
}

/** Loaded on the first 32 MB passed: a run with little output never pays for the extra context. */
let gc: Gc | null | undefined;
/** Bytes passed between two scavenges. */
const EVERY_BYTES = 32 * 1024 * 1024;
let sinceLast = 0;

/** Count bytes that passed through; now and then, reclaim their buffers. */
export function passed(bytes: number): void {
  sinceLast += bytes;
  if (sinceLast < EVERY_BYTES) return;
  sinceLast = 0;
  if (gc === undefined) gc = loadGc();
  gc?.();
}
