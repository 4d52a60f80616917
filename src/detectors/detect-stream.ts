import { createLineDetectors, type DetectorOptions } from './index.js';
import type { DetectorEvent, DetectorSummary, ExternalStorageEvent, LineInput } from './types.js';

/**
 * Runs one detector set over a line source, for `duct detect`: external storage
 * events first (they are kept with their own times for the hang verdict), then every
 * line in order. Readers of other log formats only need to produce LineInput.
 */
export async function detectStream(
  lines: AsyncIterable<LineInput>,
  opts: DetectorOptions,
  onEvent: (e: DetectorEvent) => void,
  external: readonly ExternalStorageEvent[] = [],
): Promise<DetectorSummary> {
  const detectors = createLineDetectors(opts, onEvent);
  for (const ev of external) detectors.external?.(ev);
  let last = Number.NEGATIVE_INFINITY;
  for await (const line of lines) {
    detectors.line(line);
    if (line.time_ms > last) last = line.time_ms;
  }
  return detectors.finish(Number.isFinite(last) ? last : Date.now());
}
