import type { MeasurementRequest, PreparedMeasurements } from './types.js';

/**
 * Placeholder engine (measures nothing) until the collectors issue lands; the
 * run loop is written against PreparedMeasurements/MeasurementEngine only.
 */
export function prepareMeasurements(req: MeasurementRequest): Promise<PreparedMeasurements> {
  const info = {
    selected: [] as string[],
    requested: req.requested,
    units: {},
    unavailable: {},
    sample_interval: req.sampleInterval,
    report_interval: req.reportInterval,
  };
  return Promise.resolve({
    argvPrefix: [],
    describe: () => info,
    start: () => ({
      sample: () => Promise.resolve(),
      report: () => Promise.resolve(null),
      summary: () => ({}),
      describe: () => info,
      cgroup: () => null,
      close: () => Promise.resolve(),
    }),
    abort: () => Promise.resolve(),
  });
}

/** Text of `duct run --measurements help`. */
export function renderMeasurementHelp(): string {
  return 'no measurements are built yet\n';
}
