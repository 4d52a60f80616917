import type { RunInfo } from './info.js';
import { runFigures } from './run-figures.js';
import { summarizeInfo } from './run-reader.js';

/** The run's figures of an info.json as `ls` would read it back: the same flattening, the same definition. */
export function figuresOfInfo(info: Record<string, unknown>): ReturnType<typeof runFigures> {
  return runFigures(summarizeInfo(info).summary);
}

/** An info.json with its `figures` block computed from the rest (written at start, at each report and at the end). */
export function withFigures(info: Omit<RunInfo, 'figures'> & { figures?: RunInfo['figures'] }): RunInfo {
  return { ...info, figures: figuresOfInfo(info as unknown as Record<string, unknown>) };
}
