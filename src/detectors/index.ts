import type { DetectorEvent, DetectorSummary, LineDetectors } from './types.js';

export interface DetectorOptions {
  enabled: boolean;
  /** seconds without training-step progress that count as a stall. */
  hangThresholdSeconds: number;
  /** a user regex source recognising training-step progress lines; null for the built-in defaults. */
  stepPattern: string | null;
}

/** Placeholder (finds nothing) until the detectors issue lands. */
export function createLineDetectors(opts: DetectorOptions, _onEvent: (e: DetectorEvent) => void): LineDetectors {
  const summary: DetectorSummary = { enabled: opts.enabled, counts: {}, headline: null };
  return {
    line: () => undefined,
    cpu: () => undefined,
    tick: () => undefined,
    finish: () => summary,
  };
}
