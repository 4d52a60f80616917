import { readFileSync } from 'node:fs';

/** The kernel's boot id (Linux), or null where there is none: a pid means something only within one boot. */
export function readBootId(path = '/proc/sys/kernel/random/boot_id'): string | null {
  try {
    const id = readFileSync(path, 'utf8').trim();
    return id === '' ? null : id;
  } catch {
    return null;
  }
}
