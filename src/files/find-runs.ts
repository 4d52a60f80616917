import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { glob } from 'tinyglobby';
import { DuctError, ExitCode } from '../errors.js';

/** What one PATH given to `duct validate` names. */
export type ValidateTarget =
  | { type: 'run'; prefix: string }
  | { type: 'file'; path: string; kind: 'info' | 'usage' | 'events' | 'conduct-usage' };

const FILE_KINDS: Array<[suffix: string, kind: 'info' | 'usage' | 'events' | 'conduct-usage']> = [
  ['info.json', 'info'],
  ['usage.jsonl', 'usage'],
  ['events.jsonl', 'events'],
  ['usage.json', 'conduct-usage'],
];

function noRun(path: string, why: string): DuctError {
  return new DuctError('E_NO_RUNS', `no run at ${path}: ${why}`, ExitCode.usage);
}

/**
 * Resolve a PATH into runs and files: a file is checked alone (its kind from its name), a
 * directory is searched for every <prefix>info.json under it, anything else is an output
 * prefix (<PATH>info.json must exist, or another file of the run).
 */
export async function resolveTargets(path: string): Promise<ValidateTarget[]> {
  const stat = existsSync(path) ? statSync(path) : undefined;
  if (stat?.isFile()) {
    const found = FILE_KINDS.find(([suffix]) => basename(path).endsWith(suffix));
    if (!found) throw noRun(path, 'a file to check must be named <prefix>info.json, <prefix>usage.jsonl, <prefix>events.jsonl, or con-duct\'s <prefix>usage.json');
    return [{ type: 'file', path, kind: found[1] }];
  }
  if (stat?.isDirectory()) {
    const infos = await glob('**/*info.json', { cwd: path, dot: true, onlyFiles: true, followSymbolicLinks: false });
    if (infos.length === 0) throw noRun(path, 'the directory holds no <prefix>info.json (searched recursively)');
    return infos.sort().map((rel) => ({ type: 'run', prefix: join(path, rel).slice(0, -'info.json'.length) }));
  }
  const siblings = ['info.json', 'usage.jsonl', 'events.jsonl', 'usage.json'].map((s) => `${path}${s}`);
  if (siblings.some((f) => existsSync(f))) return [{ type: 'run', prefix: path }];
  throw noRun(path, `it is not a file or a directory, and no ${path}info.json exists (give a run's output prefix, a directory of runs, or a file)`);
}
