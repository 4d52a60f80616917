/** Request values in the forms sbatch accepts (its M and G are 2^20 and 2^30 bytes). */

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
