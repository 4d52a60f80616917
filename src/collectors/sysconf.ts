import { execFileSync } from 'node:child_process';

/** The kernel constants the proc collector converts with, found once before the run. */
export interface SysConf {
  clockTick: number;
  pageSize: number;
}

function getconf(name: string): number | null {
  try {
    const v = Number(execFileSync('getconf', [name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(v) && v > 0 ? v : null;
  } catch {
    return null; // no getconf: the Linux defaults below
  }
}

/** `getconf CLK_TCK` and `getconf PAGESIZE` (100 and 4096 where getconf is missing). */
export function readSysConf(): SysConf {
  return { clockTick: getconf('CLK_TCK') ?? 100, pageSize: getconf('PAGESIZE') ?? 4096 };
}
