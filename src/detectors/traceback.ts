/**
 * Shape of a Python traceback as launchers print it, so the lines that follow an
 * OOM message (a chained exception, a re-raise in the parent, torch.multiprocessing's
 * copy of the child's traceback) fold into that one event.
 */

import { stripLauncherPrefix } from './launcher.js';

const CONTINUATION_STARTS = [
  'Traceback (most recent call last)',
  'During handling of the above exception',
  'The above exception was the direct cause',
  'File "',
  '-- Process ',
  'Exception raised from ',
  'frame #',
] as const;

// The last line of a (chained) traceback: `torch.multiprocessing.spawn.ProcessRaisedException: ...`.
const EXCEPTION_LINE = /^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)\b/;

/** True for a line that can belong to a traceback: blank, indented, a header, or an exception line. */
export function isTracebackLine(text: string): boolean {
  return isTracebackRest(stripLauncherPrefix(text));
}

/** isTracebackLine for a line already without its launcher prefixes. */
export function isTracebackRest(rest: string): boolean {
  if (rest.length === 0) return true;
  const c = rest.charCodeAt(0);
  if (c === 32 || c === 9) return true;
  for (const s of CONTINUATION_STARTS) if (rest.startsWith(s)) return true;
  return EXCEPTION_LINE.test(rest);
}
