import { lstatSync, rmSync, rmdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DuctError } from '../errors.js';
import type { OutputPaths } from '../files/info.js';
import { makeDirs } from '../files/make-dirs.js';

/** Which streams are captured to files. */
export interface OutputSelection {
  stdout: boolean;
  stderr: boolean;
}

/** The files a run with this prefix writes (events.jsonl only appears when a detector fires). */
export function outputPaths(prefix: string, sel: OutputSelection): OutputPaths {
  return {
    prefix,
    info: `${prefix}info.json`,
    usage: `${prefix}usage.jsonl`,
    events: `${prefix}events.jsonl`,
    stdout: sel.stdout ? `${prefix}stdout` : null,
    stderr: sel.stderr ? `${prefix}stderr` : null,
  };
}

/** Linux's NAME_MAX and PATH_MAX, in bytes. */
const NAME_MAX = 255;
const PATH_MAX = 4096;

/** Fail before anything exists on a prefix whose file names the system cannot hold (ENAMETOOLONG later). */
export function checkPathLimits(p: OutputPaths): void {
  for (const f of allPaths(p)) {
    const abs = resolve(f);
    const long = abs.split('/').find((part) => Buffer.byteLength(part) > NAME_MAX);
    if (long !== undefined || Buffer.byteLength(abs) >= PATH_MAX) {
      throw new DuctError(
        'E_OPTION_VALUE',
        `invalid --output-prefix: ${long !== undefined ? `the file name ${long.slice(0, 40)}... is ${Buffer.byteLength(long)} bytes, more than the ${NAME_MAX} a name can be` : `the path ${abs.slice(0, 40)}... is ${Buffer.byteLength(abs)} bytes, more than the ${PATH_MAX - 1} a path can be`}`,
      );
    }
  }
}

/** Every file this run may write, for clobber checks and removal. */
export function allPaths(p: OutputPaths): string[] {
  return [p.info, p.usage, p.events, p.stdout, p.stderr].filter((x): x is string => x !== null);
}

/**
 * Refuse to overwrite existing files (exit 1, naming them) unless --clobber; creates nothing.
 * A symbolic link counts as existing, a dangling one too (--clobber replaces the link, never its target).
 */
export function checkClobber(p: OutputPaths, clobber: boolean): void {
  if (clobber) return;
  const existing = allPaths(p).filter(entryExists);
  if (existing.length > 0) {
    throw new DuctError(
      'E_OUTPUT_EXISTS',
      `output file${existing.length > 1 ? 's' : ''} already exist${existing.length > 1 ? '' : 's'}: ${existing.join(', ')} (use --clobber to replace, or another --output-prefix)`,
    );
  }
}

/** The directory a prefix's files land in. */
export function prefixDir(prefix: string): string {
  return prefix.endsWith('/') ? resolve(prefix) : dirname(resolve(prefix));
}

/** Something is at this name, a dangling link too (existsSync follows links); a missing parent is nothing. */
function entryExists(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false; // ENOTDIR: a file where a directory would be, reported when the directory is created
  }
}

/** Create the prefix's leading directories; returns the ones created (deepest last) so a failed start can remove them. */
export function createLeadingDirs(prefix: string): string[] {
  const dir = prefixDir(prefix);
  try {
    return makeDirs(dir);
  } catch (err) {
    throw new DuctError('E_OUTPUT_UNWRITABLE', `cannot create output directory ${dir} for --output-prefix: ${(err as Error).message}`);
  }
}

/** Remove a run's files, and the directories this run created if they are empty again; never throws (it runs on error paths). */
export function removeOutputs(p: OutputPaths, createdDirs: string[]): void {
  for (const f of allPaths(p)) {
    try {
      rmSync(f, { force: true });
    } catch {
      // ENOTDIR, ENAMETOOLONG, EACCES: there is nothing of ours to remove there
    }
  }
  for (const d of [...createdDirs].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      break; // not empty: something else lives there now
    }
  }
}
