/** /proc/<pid>/io: bytes this process caused to be fetched from / sent to the storage layer. */
export interface ProcIo {
  readBytes: number;
  writeBytes: number;
}

export function parseProcIo(text: string): ProcIo {
  const get = (key: string): number => {
    const m = new RegExp(`^${key}:\\s*(\\d+)`, 'm').exec(text);
    if (m?.[1] === undefined) throw new Error(`/proc/<pid>/io has no ${key} line`);
    return Number(m[1]);
  };
  return { readBytes: get('read_bytes'), writeBytes: get('write_bytes') };
}

/** /proc/<pid>/cmdline: NUL-separated argv → one space-joined line ('' for kernel threads). */
export function parseCmdline(text: string): string {
  return text.replace(/\0+$/, '').split('\0').join(' ');
}
