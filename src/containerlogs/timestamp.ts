/** A parsed log timestamp: whole seconds since the epoch plus nanoseconds, since epoch ns exceed 2^53. */
export interface LogTime {
  epochSeconds: number;
  nanos: number;
}

const zero = 48;

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - zero;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Memo of the last `YYYY-MM-DDTHH:MM:SS` prefix: consecutive lines mostly share their second. */
let lastPrefix = '';
let lastPrefixSeconds = 0;

/**
 * Parse an RFC 3339 timestamp leniently, as container runtimes write them: any
 * fraction length (or none), `Z` or a `±hh:mm` / `±hhmm` offset, `T` or a space.
 * Returns null when the text is not such a timestamp.
 */
export function parseLogTime(s: string): LogTime | null {
  if (s.length < 20) return null;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  const t = s.charCodeAt(10);
  if (t !== 84 && t !== 116 && t !== 32) return null;
  const prefix = s.slice(0, 19);
  let seconds: number;
  if (prefix === lastPrefix) {
    seconds = lastPrefixSeconds;
  } else {
    const year = digits(s, 0, 4);
    const month = digits(s, 5, 2);
    const day = digits(s, 8, 2);
    const hour = digits(s, 11, 2);
    const minute = digits(s, 14, 2);
    const second = digits(s, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
      return null;
    }
    seconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
    lastPrefix = prefix;
    lastPrefixSeconds = seconds;
  }
  let i = 19;
  let nanos = 0;
  const sep = s.charCodeAt(i);
  if (sep === 46 || sep === 44) {
    i++;
    const start = i;
    while (i < s.length) {
      const d = s.charCodeAt(i) - zero;
      if (d < 0 || d > 9) break;
      if (i - start < 9) nanos = nanos * 10 + d;
      i++;
    }
    const n = i - start;
    if (n === 0) return null;
    for (let k = n; k < 9; k++) nanos *= 10;
  }
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) {
    return i + 1 === s.length ? { epochSeconds: seconds, nanos } : null;
  }
  if (z !== 43 && z !== 45) return null;
  const rest = s.length - i - 1;
  let oh: number;
  let om: number;
  if (rest === 5 && s.charCodeAt(i + 3) === 58) {
    oh = digits(s, i + 1, 2);
    om = digits(s, i + 4, 2);
  } else if (rest === 4) {
    oh = digits(s, i + 1, 2);
    om = digits(s, i + 3, 2);
  } else {
    return null;
  }
  if (oh < 0 || om < 0 || oh > 23 || om > 59) return null;
  const offset = (oh * 3600 + om * 60) * (z === 43 ? 1 : -1);
  return { epochSeconds: seconds - offset, nanos };
}

/** Milliseconds since the epoch (what LineInput.time_ms carries). */
export function logTimeMs(t: LogTime): number {
  return t.epochSeconds * 1000 + Math.floor(t.nanos / 1e6);
}

/** Nanoseconds since the epoch as a decimal string (exact; a JSON number would lose digits past 2^53). */
export function logTimeNanosText(t: LogTime): string {
  if (t.epochSeconds > 0) return `${t.epochSeconds}${String(t.nanos).padStart(9, '0')}`;
  return (BigInt(t.epochSeconds) * 1_000_000_000n + BigInt(t.nanos)).toString();
}
