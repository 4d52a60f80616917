import assert from 'node:assert/strict';
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
