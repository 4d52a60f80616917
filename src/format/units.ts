/** Human units for people; machine files always keep raw bytes and seconds. */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** 1536 → "1.50 KiB" (1024-based, two decimals above bytes). */
export function humanizeBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const sign = bytes < 0 ? '-' : '';
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${sign}${v} B` : `${sign}${v.toFixed(2)} ${BYTE_UNITS[i]}`;
}

/** 3725.5 → "1h 2m 5.5s"; under a minute keeps three decimals ("2.346s"). */
export function humanizeSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const sign = seconds < 0 ? '-' : '';
  let s = Math.abs(seconds);
  if (s < 60) return `${sign}${Number(s.toFixed(3))}s`;
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts: string[] = [];
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s >= 0.05 || parts.length === 0) parts.push(`${Number(s.toFixed(1))}s`);
  return sign + parts.join(' ');
}

/** 123.456 → "123.46%" (100% = one core). */
export function humanizePercent(pct: number): string {
  return Number.isFinite(pct) ? `${pct.toFixed(2)}%` : String(pct);
}
