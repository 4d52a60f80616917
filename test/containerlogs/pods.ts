import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { Tailer, type TailerNotice, type TailerOptions } from '../../src/containerlogs/index.js';
import { schemas } from '../../src/files/schemas.js';
import { recordJson } from '../../src/containerlogs/record.js';

/** Builds kubelet-layout pod directories for tests: `<root>/<ns>_<pod>_<uid>/<container>/`. */
export function containerDir(root: string, ns = 'ml', pod = 'train-0', uid = '6f1c2d3e-0000-4000-8000-000000000001', container = 'trainer'): string {
  const dir = join(root, `${ns}_${pod}_${uid}`, container);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** One CRI physical line. */
export function cri(time: string, stream: 'stdout' | 'stderr', tag: 'P' | 'F', body: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${time} ${stream} ${tag} `), typeof body === 'string' ? Buffer.from(body) : body, Buffer.from('\n')]);
}

/** A timestamp at second s of a fixed minute, with nanoseconds. */
export function ts(s: number, ns = 0): string {
  return `2024-05-01T10:00:${String(s).padStart(2, '0')}.${String(ns).padStart(9, '0')}Z`;
}

export function write(path: string, ...lines: Buffer[]): void {
  writeFileSync(path, Buffer.concat(lines));
}

export interface Collected {
  records: Record<string, unknown>[];
  notices: TailerNotice[];
}

/** Run a Tailer to completion over patterns, returning the `--emit records` lines parsed back and the notices. */
export async function readAll(patterns: string[], opts: Partial<TailerOptions> = {}): Promise<Collected> {
  const records: Record<string, unknown>[] = [];
  const notices: TailerNotice[] = [];
  const tailer = new Tailer({
    patterns,
    cwd: process.cwd(),
    follow: false,
    startAt: 'beginning',
    stateDir: null,
    rotateSizeBytes: 10 * 1024 * 1024,
    rotateStallMs: 30_000,
    idleTimeoutMs: 5_000,
    pollIntervalMs: 50,
    maxRecordBytes: 1024 * 1024,
    now: () => Date.now(),
    onRecord: (r) => records.push(JSON.parse(recordJson(r)) as Record<string, unknown>),
    onNotice: (n) => notices.push(n),
    ...opts,
  });
  await tailer.run();
  return { records, notices };
}

/** The parts of records most tests compare: stream, message and flags. */
export function brief(r: Record<string, unknown>): unknown[] {
  return [r.stream, r.message, r.chunks, r.truncated, r.incomplete];
}

/** schema/records.schema.json as the project's schema loader compiles it (ajv, strict). */
export function recordsValidator(): ValidateFunction {
  const fn = schemas().ajv.getSchema('https://schemas.duct.invalid/records.schema.json');
  if (!fn) throw new Error('schema/records.schema.json is not loaded');
  return fn;
}
