import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { glob } from 'tinyglobby';
import { formatProblem, type RunCheck } from '../../src/files/problems.js';
import { validateFile, validateRun } from '../../src/files/validate-run.js';

function failOnErrors(check: RunCheck, allowWarnings: boolean): RunCheck {
  const shown = check.problems.filter((p) => p.severity === 'error' || !allowWarnings);
  if (shown.length > 0) assert.fail(`${check.target} does not validate against schema/:\n${shown.map(formatProblem).join('\n')}`);
  return check;
}

/**
 * Fail the test unless every file of the run at `prefix` (info.json, usage.jsonl,
 * events.jsonl) validates against schema/; warnings (a torn last line) fail too unless allowed.
 */
export async function assertRunValid(prefix: string, opts: { allowWarnings?: boolean } = {}): Promise<RunCheck> {
  return failOnErrors(await validateRun(prefix), opts.allowWarnings ?? false);
}

/** Fail the test unless one file (its kind told by the caller) validates against schema/. */
export async function assertFileValid(path: string, kind: 'info' | 'usage' | 'events', opts: { allowWarnings?: boolean } = {}): Promise<RunCheck> {
  return failOnErrors(await validateFile(path, kind), opts.allowWarnings ?? false);
}

/**
 * Every run whose info.json was written under `dir` since `sinceMs` validates (warnings
 * allowed): runCli calls this after each `duct run`, so every black-box test checks the
 * files it made against schema/.
 */
export async function assertRunsWrittenSinceValid(dir: string, sinceMs: number): Promise<void> {
  const infos = await glob('**/*info.json', { cwd: dir, dot: true, absolute: true, ignore: ['**/node_modules/**', '**/.git/**'] });
  for (const path of infos.sort()) {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      continue; // removed since (a failed run cleans up after itself)
    }
    // file times can trail the wall clock by a tick on some filesystems
    if (mtimeMs >= sinceMs - 20) await assertRunValid(path.slice(0, -'info.json'.length), { allowWarnings: true });
  }
}
