/** Request values in the forms sbatch accepts (its M and G are 2^20 and 2^30 bytes). */

import { escapeControl } from '../format/escape.js';

const MIB = 1024 * 1024;

/**
 * Bytes → an sbatch memory size, always rounded up: whole MiB ("3500M"), or whole GiB
 * ("24G") from 10 GiB up, where rounding to a GiB adds under 10%.
 */
export function formatSlurmMem(bytes: number): string {
  // the epsilon keeps float noise (1000 MiB × 1.2 = 1200.0000000002) from adding a unit
  const mib = Math.max(1, Math.ceil(bytes / MIB - 1e-9));
  return mib >= 10 * 1024 ? `${Math.ceil(mib / 1024)}G` : `${mib}M`;
}

/** Seconds → sbatch --time, rounded up to whole minutes (at least one): "HH:MM:SS" or "D-HH:MM:SS". */
export function formatSlurmTime(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60 - 1e-9));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const hms = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`;
  return d > 0 ? `${d}-${hms}` : hms;
}

/** What an #SBATCH line duct writes may hold: options with values made of numbers and units only. */
const DIRECTIVE = /^#SBATCH( --[a-z-]+=[0-9A-Za-z:.-]+)*$/;

/** A comment line for a batch script: whatever the run's data holds (a newline, an escape sequence) stays inside it. */
export function commentLine(text: string): string {
  return `# ${escapeControl(text)}`;
}

/**
 * Text meant for a job script, made safe line by line: the one directive duct
 * computed stays live; every other line is a comment whose control characters
 * are escaped, so no run's data can add a live #SBATCH or shell line.
 */
export function scriptSafeLines(lines: readonly string[]): string[] {
  return lines.map((l) => {
    if (DIRECTIVE.test(l)) return l;
    const text = escapeControl(l);
    return text.startsWith('# ') ? text : `# ${text}`;
  });
}
