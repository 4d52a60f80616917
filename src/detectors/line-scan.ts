import { AnchorScanner } from './anchor-scanner.js';
import { CUDA_OOM_ANCHOR, DEVICE_OOM_MARKERS, ERROR_CLASSES } from './error-classes.js';

/** Bits of the one-pass keyword scan every line gets before anything else. */
export const CLASSIFY_BIT = 1;
export const STEP_BIT = 2;
export const EVAL_BIT = 4;
export const CONTEXT_BIT = 8;

/** Every classifier row needs one of these; 'out of memory' covers CUDA and the other devices. */
export const CLASSIFY_ANCHORS: readonly string[] = [
  'out of memory',
  CUDA_OOM_ANCHOR,
  ...DEVICE_OOM_MARKERS.map((m) => m.substring),
  ...ERROR_CLASSES.flatMap((c) => c.substrings),
];

/** A line without one of these cannot match a default step pattern (see step-progress.ts). */
export const DEFAULT_STEP_ANCHORS: readonly string[] = ['step', 'Step', 'STEP', 'iter', 'Iter', 'ITER', 'it [', '<', 'ETA', 'poch'];

/** A line without one of these cannot match the eval marker. */
export const EVAL_ANCHORS: readonly string[] = ['val', 'Val', 'VAL', 'esting', 'ESTING'];

/** A line without one of these cannot name the rank of the traceback after it (see launcher.ts contextRank). */
export const CONTEXT_ANCHORS: readonly string[] = ['-- Process ', '(local_rank: '];

let built: AnchorScanner | null = null;

/** The one scanner of every line; its table is built on the first line scanned, so a run's start never pays for it. */
export const lineScanner: Pick<AnchorScanner, 'scan'> = {
  scan(text: string): number {
    built ??= new AnchorScanner([
      { bit: CLASSIFY_BIT, anchors: CLASSIFY_ANCHORS },
      { bit: STEP_BIT, anchors: DEFAULT_STEP_ANCHORS },
      { bit: EVAL_BIT, anchors: EVAL_ANCHORS },
      { bit: CONTEXT_BIT, anchors: CONTEXT_ANCHORS },
    ]);
    return built.scan(text);
  },
};
