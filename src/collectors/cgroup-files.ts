/** Parsers for the cgroup interface files duct reads (v1 and v2). */

/** A flat keyed file (`key value` per line: v2 cpu.stat, memory.events; v1 memory.oom_control). */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(-?\d+)\s*$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

// v1 writes "no limit" as PAGE_COUNTER_MAX pages, e.g. 9223372036854771712 on 4 KiB pages
const V1_UNLIMITED = 2 ** 62;

/** A single-number file; `max` (v2) or v1's near-2^63 sentinel mean no limit → null. */
export function parseLimit(text: string): number | null {
  const t = text.trim();
  if (t === 'max') return null;
  const v = Number(t);
  if (!Number.isFinite(v)) throw new Error(`not a cgroup limit: ${JSON.stringify(t.slice(0, 40))}`);
  return v >= V1_UNLIMITED ? null : v;
}

/** A single-number file (memory.current, memory.peak, memory.usage_in_bytes, cpuacct.usage ...). */
export function parseCount(text: string): number {
  const v = Number(text.trim());
  if (!Number.isFinite(v)) throw new Error(`not a cgroup counter: ${JSON.stringify(text.trim().slice(0, 40))}`);
  return v;
}
