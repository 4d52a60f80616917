/** /proc/<pid>/stat, in clock ticks and pages as the kernel writes them. */
export interface ProcStat {
  pid: number;
  comm: string;
  /** one-letter state code (R, S, D, Z, T, t, X, I, ...). */
  state: string;
  ppid: number;
  session: number;
  utimeTicks: number;
  stimeTicks: number;
  /** process start, in clock ticks after boot. */
  starttimeTicks: number;
  rssPages: number;
}

/**
 * Parse one /proc/<pid>/stat line. The command name is in parentheses and may
 * itself hold spaces and ')' — so fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(text.slice(0, 80))}`);
  const rest = text.slice(close + 2).trimEnd().split(' ');
  const num = (i: number): number => {
    const v = Number(rest[i]);
    if (!Number.isFinite(v)) throw new Error(`/proc/<pid>/stat field ${i + 3} is not a number: ${JSON.stringify(rest[i])}`);
    return v;
  };
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: num(1),
    session: num(3),
    utimeTicks: num(11),
    stimeTicks: num(12),
    starttimeTicks: num(19),
    rssPages: num(21),
  };
}

/** Seconds since boot from /proc/uptime ("12345.67 2345.67"). */
export function parseUptime(text: string): number {
  const v = Number(text.trim().split(/\s+/)[0]);
  if (!Number.isFinite(v)) throw new Error(`not a /proc/uptime text: ${JSON.stringify(text.slice(0, 40))}`);
  return v;
}
