import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAuxv, readSysConf, SYSCONF_DEFAULTS } from '../../src/collectors/sysconf.js';

/** An auxv image: (type, value) words, then AT_NULL. */
function auxv(pairs: Array<[number, number]>, wordBytes: 4 | 8, littleEndian: boolean): Buffer {
  const b = Buffer.alloc((pairs.length + 1) * 2 * wordBytes);
  pairs.forEach(([t, v], i) => {
    const at = i * 2 * wordBytes;
    if (wordBytes === 8) {
      if (littleEndian) (b.writeBigUInt64LE(BigInt(t), at), b.writeBigUInt64LE(BigInt(v), at + 8));
      else (b.writeBigUInt64BE(BigInt(t), at), b.writeBigUInt64BE(BigInt(v), at + 8));
    } else if (littleEndian) (b.writeUInt32LE(t, at), b.writeUInt32LE(v, at + 4));
    else (b.writeUInt32BE(t, at), b.writeUInt32BE(v, at + 4));
  });
  return b;
}

test('parseAuxv finds AT_PAGESZ and AT_CLKTCK among other entries, in either word size and byte order', () => {
  // AT_PHDR 3, AT_PAGESZ 6, AT_CLKTCK 17, AT_HWCAP 16
  const pairs: Array<[number, number]> = [[3, 0x400040], [16, 0x178bfbff], [6, 65536], [17, 250]];
  for (const w of [4, 8] as const) for (const le of [true, false]) assert.deepEqual(parseAuxv(auxv(pairs, w, le), w, le), { pageSize: 65536, clockTick: 250 }, `${w}-byte ${le ? 'LE' : 'BE'}`);
});

test('parseAuxv stops at AT_NULL and ignores a truncated tail', () => {
  const b = Buffer.concat([auxv([[17, 100]], 8, true), auxv([[6, 8192]], 8, true)]);
  assert.deepEqual(parseAuxv(b, 8, true), { clockTick: 100 });
  assert.deepEqual(parseAuxv(auxv([[6, 4096]], 8, true).subarray(0, 12), 8, true), {});
});

test('readSysConf without an auxv to read gives the Linux defaults', () => {
  assert.deepEqual(readSysConf('/nonexistent/auxv'), SYSCONF_DEFAULTS);
  const dir = mkdtempSync(join(tmpdir(), 'duct-auxv-'));
  try {
    writeFileSync(join(dir, 'auxv'), Buffer.alloc(0));
    assert.deepEqual(readSysConf(join(dir, 'auxv')), SYSCONF_DEFAULTS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('on this machine, readSysConf agrees with getconf', { skip: !existsSync('/proc/self/auxv') && 'needs Linux /proc' }, (t) => {
  let getconf: { clockTick: number; pageSize: number };
  try {
    const g = (name: string) => Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
    getconf = { clockTick: g('CLK_TCK'), pageSize: g('PAGESIZE') };
  } catch {
    t.skip('no getconf to compare with');
    return;
  }
  assert.deepEqual(readSysConf(), getconf);
});
