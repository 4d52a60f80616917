/** The bytes of one `Key:   value kB` line of a /proc text (status, smaps_rollup); undefined when absent. */
function kbField(text: string, key: string): number | undefined {
  let at = text.startsWith(`${key}:`) ? 0 : text.indexOf(`\n${key}:`);
  if (at < 0) return undefined;
  if (at > 0) at += 1;
  const m = /^\s*(\d+)\s*kB/.exec(text.slice(at + key.length + 1, at + key.length + 40));
  return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
}

/** The memory figures of /proc/<pid>/status, in bytes (absent for kernel threads). */
export interface ProcStatus {
  /** VmHWM: the kernel's high-water mark of this process's RSS. */
  hwmBytes?: number;
  rssBytes?: number;
}

export function parseProcStatus(text: string): ProcStatus {
  return { hwmBytes: kbField(text, 'VmHWM'), rssBytes: kbField(text, 'VmRSS') };
}

/** /proc/<pid>/smaps_rollup in bytes: PSS shares each page among its users; USS is the private pages alone. */
export interface SmapsRollup {
  pssBytes: number;
  ussBytes: number;
}

export function parseSmapsRollup(text: string): SmapsRollup {
  const pss = kbField(text, 'Pss');
  if (pss === undefined) throw new Error('smaps_rollup has no Pss line');
  return {
    pssBytes: pss,
    ussBytes: (kbField(text, 'Private_Clean') ?? 0) + (kbField(text, 'Private_Dirty') ?? 0) + (kbField(text, 'Private_Hugetlb') ?? 0),
  };
}
