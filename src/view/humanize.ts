import type { Unit } from '../aggregation/types.js';
import { humanizeBytes, humanizePercent, humanizeSeconds } from '../format/units.js';

/** A figure for people, by its unit: bytes as KiB/MiB/GiB, seconds as a duration, CPU as percent. */
export function humanizeValue(value: unknown, unit: Unit | undefined): string {
  if (value === null || value === undefined) return '-';
  if (typeof value !== 'number') return String(value);
  switch (unit) {
    case 'bytes':
      return humanizeBytes(value);
    case 'bytes/s':
      return `${humanizeBytes(value)}/s`;
    case 'seconds':
      return humanizeSeconds(value);
    case 'percent':
      return humanizePercent(value);
    default:
      return String(value);
  }
}
