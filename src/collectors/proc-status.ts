/** Parse a `Key:   value kB` text (/proc/<pid>/status, smaps_rollup) into bytes for the keys asked for. */
function kbFields(text: string, keys: readonly string[]): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    if (!keys.includes(key)) continue;
    const m = /^\s*(\d+)\s*kB/.exec(line.slice(colon + 1));
    if (m?.[1] !== undefined) out[key] = Number(m[1]) * 1024;
  }
  return out;
}

/** The memory figures of /proc/<pid>/status, in bytes (absent for kernel threads). */
export interface ProcStatus {
  /** VmHWM: the kernel's high-water mark of this process's RSS. */
  hwmBytes?: number;
  rssBytes?: number;
}

export function parseProcStatus(text: string): ProcStatus {
  const f = kbFields(text, ['VmHWM', 'VmRSS']);
  return { hwmBytes: f['VmHWM'], rssBytes: f['VmRSS'] };
}

/** /proc/<pid>/smaps_rollup in bytes: PSS shares each page among its users; USS is the private pages alone. */
export interface SmapsRollup {
  pssBytes: number;
  ussBytes: number;
}

export function parseSmapsRollup(text: string): SmapsRollup {
  const f = kbFields(text, ['Pss', 'Private_Clean', 'Private_Dirty', 'Private_Hugetlb']);
  if (f['Pss'] === undefined) throw new Error('smaps_rollup has no Pss line');
  return {
    pssBytes: f['Pss'],
    ussBytes: (f['Private_Clean'] ?? 0) + (f['Private_Dirty'] ?? 0) + (f['Private_Hugetlb'] ?? 0),
  };
}
