import { DuctError } from '../errors.js';
import { EVAL_BIT, lineScanner, STEP_BIT } from './line-scan.js';

/**
 * Recognises training-step progress and eval phases in output lines. The defaults
 * cover tqdm bars (also PyTorch Lightning's), Keras bars, `step N` / `iter N` /
 * `global_step=N` loop lines and the PyTorch examples' `Epoch: [E][ N/M]`.
 */

export type StepSignal = { kind: 'step'; step: number | null } | { kind: 'eval' };

export interface StepMatcher {
  /** `mask` is the line's keyword scan (lineScanner.scan), when the caller already has it. */
  match(text: string, mask?: number): StepSignal | null;
}

export const DEFAULT_STEP_PATTERNS: readonly RegExp[] = [
  /\|\s*(\d+)\/(?:\d+|\?) \[\d/, // tqdm with a total: "| 50/1000 [00:10<..."
  /(?:^|[\s|:])(\d+)it \[\d/, // tqdm without a total: "123it [00:05, 24.1it/s]"
  /^\s*(\d+)\/\d+ \[[=>.]*\]/, // Keras: "  100/1875 [====>.....] - ETA: 10s"
  /\bEpoch:? ?\[?\d+\]? ?\[\s*(\d+)\/\d+\]/, // "Epoch: [0][  10/5005]"
  /\b(?:global[_ ]?)?(?:step|iter(?:ation)?)s?\b["']?\s*[:=#]?\s*\[?\s*(\d+)/i, // "step 100", "Step: 100", "iter=7", "global_step=40", a JSON logger's "step": 30
];

/** An eval phase: no hang verdict until the next training step. */
export const EVAL_MARKER = /\b(?:eval(?:uat(?:e|ing|ion))?|validat(?:e|ing|ion)|testing)\b/i;

function firstNumber(m: RegExpExecArray): number | null {
  for (let i = 1; i < m.length; i++) {
    const g = m[i];
    if (g !== undefined && /^\d+$/.test(g)) return Number(g);
  }
  return null;
}

/** Compile a user's --step-pattern, or say clearly why it is not a regular expression. */
export function compileStepPattern(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new DuctError(
      'E_OPTION_VALUE',
      `--step-pattern ${JSON.stringify(source)} is not a valid regular expression (${(err as Error).message}); give a JavaScript regex such as 'step (\\d+)'`,
    );
  }
}

/** Eval markers are checked first with the defaults, so an eval bar never counts as a training step. */
function matchDefault(text: string, mask: number): StepSignal | null {
  if (mask & EVAL_BIT && EVAL_MARKER.test(text)) return { kind: 'eval' };
  if (!(mask & STEP_BIT)) return null;
  for (const re of DEFAULT_STEP_PATTERNS) {
    const m = re.exec(text);
    if (m) return { kind: 'step', step: firstNumber(m) };
  }
  return null;
}

/** A user pattern is trusted first: a line it matches is a training step even if it mentions eval. */
function matchUser(re: RegExp, text: string, mask: number): StepSignal | null {
  const m = re.exec(text);
  if (m) return { kind: 'step', step: firstNumber(m) };
  if (mask & EVAL_BIT && EVAL_MARKER.test(text)) return { kind: 'eval' };
  return null;
}

/** Step lines are short: only the end of a longer frame is matched, which keeps every pattern linear-time in the line. */
export const STEP_FRAME_MAX = 4096;

const tail = (t: string): string => (t.length > STEP_FRAME_MAX ? t.slice(-STEP_FRAME_MAX) : t);

/**
 * A progress bar redrawn with `\r` arrives as one line holding many frames:
 * the last frame that says anything is the current state.
 */
function lastFrame(text: string, mask: number, one: (t: string, mask: number) => StepSignal | null): StepSignal | null {
  if (!text.includes('\r')) {
    const t = tail(text);
    return one(t, t === text ? mask : lineScanner.scan(t));
  }
  const frames = text.split('\r');
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = tail(frames[i]!);
    const s = one(f, lineScanner.scan(f));
    if (s) return s;
  }
  return null;
}

export function createStepMatcher(userPattern: string | null): StepMatcher {
  if (userPattern === null) {
    return {
      match: (text, mask = lineScanner.scan(text)) => (mask & (STEP_BIT | EVAL_BIT) ? lastFrame(text, mask, matchDefault) : null),
    };
  }
  const re = compileStepPattern(userPattern);
  return { match: (text, mask = lineScanner.scan(text)) => lastFrame(text, mask, (t, m) => matchUser(re, t, m)) };
}
