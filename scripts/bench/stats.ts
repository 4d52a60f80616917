import { mean, sampleStandardDeviation } from 'simple-statistics';

/** Spread of one benchmark's figures: null where the statistic is undefined for this sample. */
export interface Summary {
  n: number;
  mean: number | null;
  /** sample standard deviation (n − 1); null below two values. */
  stdev: number | null;
  /** coefficient of variation in percent (100 × stdev / |mean|); null without a stdev or with a zero mean. */
  cvPct: number | null;
}

/** Mean, sample standard deviation and CV% of a set of figures, as the gate-graduation report needs them. */
export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  if (n === 0) return { n, mean: null, stdev: null, cvPct: null };
  const m = mean(values);
  if (n < 2) return { n, mean: m, stdev: null, cvPct: null };
  const sd = sampleStandardDeviation(values);
  return { n, mean: m, stdev: sd, cvPct: m === 0 ? null : (100 * sd) / Math.abs(m) };
}
