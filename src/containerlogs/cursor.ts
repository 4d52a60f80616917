import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/atomic-json.js';
import type { StreamName } from '../detectors/types.js';
import type { ContainerLogFormat } from './chunk.js';
import type { Fingerprint } from './fingerprint.js';

/** The cursor file's name inside --state-dir. */
export const CURSOR_FILE = 'detect-cursor.json';
const CURSOR_VERSION = 1;

/** One file already (partly) read: which content (fingerprint) and how far. */
export interface CursorFile {
  /** the stream the file belongs to: its live `<n>.log` path, or the file itself. */
  stream_id: string;
  /** where the file was last seen (informative; identity is the fingerprint). */
  path: string;
  fingerprint: Fingerprint;
  /** bytes of (decompressed) content consumed, always at a line boundary. */
  offset: number;
  /** true for a compressed file read to its end: it never changes again. */
  complete: boolean;
  /** wall time its stream was last found, ms: streams gone for long are forgotten. */
  seen_ms?: number;
}

/** A message whose last chunk was not yet read when the cursor was written, so a restart joins it. */
export interface CursorPending {
  stream_id: string;
  stream: StreamName;
  file: string;
  format: ContainerLogFormat;
  time: string;
  chunks: number;
  total_bytes: number;
  kept_base64: string;
  last_ms: number;
}

export interface CursorState {
  version: number;
  files: CursorFile[];
  pending: CursorPending[];
}

export type CursorLoad = { state: CursorState | null } | { problem: string };

function isFingerprint(v: unknown): v is Fingerprint {
  const o = v as Fingerprint;
  return typeof v === 'object' && v !== null && Number.isInteger(o.length) && o.length > 0 && typeof o.sha256 === 'string';
}

function isCursorFile(v: unknown): v is CursorFile {
  const o = v as CursorFile;
  return (
    typeof v === 'object' && v !== null && typeof o.stream_id === 'string' && typeof o.path === 'string' &&
    isFingerprint(o.fingerprint) && Number.isInteger(o.offset) && o.offset >= 0 && typeof o.complete === 'boolean' &&
    (o.seen_ms === undefined || typeof o.seen_ms === 'number')
  );
}

function isCursorPending(v: unknown): v is CursorPending {
  const o = v as CursorPending;
  return (
    typeof v === 'object' && v !== null && typeof o.stream_id === 'string' && (o.stream === 'stdout' || o.stream === 'stderr') &&
    typeof o.file === 'string' && (o.format === 'cri' || o.format === 'docker') && typeof o.time === 'string' &&
    Number.isInteger(o.chunks) && Number.isInteger(o.total_bytes) && typeof o.kept_base64 === 'string' && typeof o.last_ms === 'number'
  );
}

/** Read the cursor; a missing one is `{state: null}`, an unreadable or corrupt one a problem to report, never a crash. */
export function loadCursor(stateDir: string): CursorLoad {
  const path = join(stateDir, CURSOR_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: null };
    return { problem: `cannot read ${path} (${(e as Error).message})` };
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { problem: `${path} is not valid JSON` };
  }
  const o = v as CursorState;
  if (typeof v !== 'object' || v === null || o.version !== CURSOR_VERSION) {
    return { problem: `${path} is not a version ${CURSOR_VERSION} cursor` };
  }
  if (!Array.isArray(o.files) || !o.files.every(isCursorFile) || !Array.isArray(o.pending) || !o.pending.every(isCursorPending)) {
    return { problem: `${path} has malformed entries` };
  }
  return { state: o };
}

/** The cursor file's text. */
export function cursorText(files: CursorFile[], pending: CursorPending[]): string {
  return JSON.stringify({ version: CURSOR_VERSION, files, pending } satisfies CursorState);
}

/** Write the cursor text atomically (temp file + rename), readable by its owner only. */
export function saveCursor(stateDir: string, body: string): void {
  writeFileAtomic(join(stateDir, CURSOR_FILE), body, 0o600);
}
