import { DuctError } from '../errors.js';

/**
 * `--headroom` as a fraction: "20%" or "20" → 0.2. Percent only, so "0.2" can never be
 * mistaken for 20%; 0 to 1000%.
 */
export function parseHeadroom(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  const pct = m ? Number(m[1]) : NaN;
  if (!Number.isFinite(pct) || pct > 1000) {
    throw new DuctError('E_OPTION_VALUE', `invalid --headroom '${text}': give a percentage from 0% to 1000%, e.g. --headroom 20%`);
  }
  return pct / 100;
}
