import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

/** The kernel constants the proc collector converts with, found once before the run. */
export interface SysConf {
  clockTick: number;
  pageSize: number;
}

/** auxv entry types (linux/auxvec.h): what sysconf(_SC_PAGESIZE) and sysconf(_SC_CLK_TCK) return. */
const AT_PAGESZ = 6;
const AT_CLKTCK = 17;

/** Linux defaults where there is no auxv to read (not Linux, or /proc hidden). */
export const SYSCONF_DEFAULTS: Readonly<SysConf> = Object.freeze({ clockTick: 100, pageSize: 4096 });

/**
 * The auxiliary vector's (type, value) pairs: native words, `wordBytes` wide, in the
 * machine's byte order, ending at AT_NULL. Only the two entries duct needs are kept.
 */
export function parseAuxv(bytes: Buffer, wordBytes: 4 | 8, littleEndian: boolean): Partial<SysConf> {
  const out: Partial<SysConf> = {};
  const word = (at: number): number =>
    wordBytes === 8
      ? Number(littleEndian ? bytes.readBigUInt64LE(at) : bytes.readBigUInt64BE(at))
      : littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at);
  for (let at = 0; at + 2 * wordBytes <= bytes.length; at += 2 * wordBytes) {
    const type = word(at);
    if (type === 0) break;
    const value = word(at + wordBytes);
    if (!Number.isSafeInteger(value) || value <= 0) continue;
    if (type === AT_PAGESZ) out.pageSize = value;
    else if (type === AT_CLKTCK) out.clockTick = value;
  }
  return out;
}

/**
 * CLK_TCK and the page size as the kernel handed them to this process
 * (/proc/self/auxv, the source libc's sysconf reads), without forking getconf;
 * the Linux defaults (100, 4096) where auxv cannot be read.
 */
export function readSysConf(auxvPath = '/proc/self/auxv'): SysConf {
  let found: Partial<SysConf> = {};
  try {
    const wordBytes = /64|s390x/.test(process.arch) ? 8 : 4;
    found = parseAuxv(readFileSync(auxvPath), wordBytes, endianness() === 'LE');
  } catch {
    // no auxv here: the defaults
  }
  return { clockTick: found.clockTick ?? SYSCONF_DEFAULTS.clockTick, pageSize: found.pageSize ?? SYSCONF_DEFAULTS.pageSize };
}
