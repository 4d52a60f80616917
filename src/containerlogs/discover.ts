import { lstatSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { liveLogRestart, parseRotatedName } from './pod-path.js';

/**
 * A log stream to read: a kubelet `<n>.log` with its rotated siblings
 * (`<n>.log.<YYYYMMDD-HHMMSS>[.gz]`), or one file given that follows no layout.
 */
export interface StreamSpec {
  /** the live `<n>.log` path (present or not), or the single file. */
  id: string;
  dir: string;
  /** for a kubelet stream, the restart number n; null for a single file. */
  restart: number | null;
}

/**
 * Expand patterns (globs or paths) into streams, never following symlinked directories.
 * A pattern starting with `!` excludes what it matches (e.g. duct's own pod's logs).
 */
export function discoverStreams(patterns: string[], cwd: string): { streams: StreamSpec[]; missing: string[] } {
  const byId = new Map<string, StreamSpec>();
  const missing: string[] = [];
  const ignore = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const excluded = ignore.length === 0 ? null : new Set(globSync(ignore, { cwd, absolute: true, onlyFiles: true, followSymbolicLinks: false, dot: true }));
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) continue;
    let paths: string[];
    if (isDynamicPattern(pattern)) {
      paths = globSync(pattern, { cwd, absolute: true, onlyFiles: true, followSymbolicLinks: false, dot: true });
    } else {
      const p = resolve(cwd, pattern);
      paths = exists(p) ? [p] : [];
    }
    if (excluded !== null) paths = paths.filter((p) => !excluded.has(p));
    if (paths.length === 0) missing.push(pattern);
    for (const path of paths) {
      const spec = streamOf(path);
      if (!byId.has(spec.id)) byId.set(spec.id, spec);
    }
  }
  return { streams: [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), missing };
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The stream a path belongs to: rotated siblings join their `<n>.log`. */
export function streamOf(path: string): StreamSpec {
  const dir = dirname(path);
  const name = basename(path);
  const live = liveLogRestart(name);
  if (live !== null) return { id: path, dir, restart: live };
  const rotated = parseRotatedName(name);
  if (rotated !== null) return { id: join(dir, `${rotated.restart}.log`), dir, restart: rotated.restart };
  return { id: path, dir, restart: null };
}

/** The files of a stream in reading order: rotated siblings oldest first (plain before its .gz), then the live file. */
export function streamFiles(spec: StreamSpec, dirNames: string[]): string[] {
  if (spec.restart === null) return [spec.id];
  const rotated: { name: string; stamp: string; gz: boolean }[] = [];
  let live = false;
  const liveName = basename(spec.id);
  for (const name of dirNames) {
    if (name === liveName) {
      live = true;
      continue;
    }
    const r = parseRotatedName(name);
    if (r !== null && r.restart === spec.restart) rotated.push({ name, stamp: r.stamp, gz: r.gz });
  }
  rotated.sort((a, b) => (a.stamp !== b.stamp ? (a.stamp < b.stamp ? -1 : 1) : Number(a.gz) - Number(b.gz)));
  const files = rotated.map((r) => join(spec.dir, r.name));
  if (live) files.push(spec.id);
  return files;
}
