import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSlurmMem, formatSlurmTime } from '../../src/slurm/sbatch-format.js';
import { parseHeadroom } from '../../src/slurm/headroom.js';
import { DuctError } from '../../src/errors.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

test('memory rounds up to whole MiB below 10 GiB, whole GiB from there', () => {
  assert.equal(formatSlurmMem(3500 * MIB), '3500M');
  assert.equal(formatSlurmMem(3500 * MIB + 1), '3501M');
  assert.equal(formatSlurmMem(1000 * MIB * 1.2), '1200M'); // float noise does not add a MiB
  assert.equal(formatSlurmMem(1), '1M');
  assert.equal(formatSlurmMem(0), '1M');
  assert.equal(formatSlurmMem(10 * GIB - MIB), '10239M');
  assert.equal(formatSlurmMem(10 * GIB), '10G');
  assert.equal(formatSlurmMem(10 * GIB + 1), '11G');
  assert.equal(formatSlurmMem(24 * GIB), '24G');
});

test('time rounds up to whole minutes, with days past 24 h', () => {
  assert.equal(formatSlurmTime(0), '00:01:00');
  assert.equal(formatSlurmTime(59), '00:01:00');
  assert.equal(formatSlurmTime(60), '00:01:00');
  assert.equal(formatSlurmTime(61), '00:02:00');
  assert.equal(formatSlurmTime(600 * 1.2), '00:12:00');
  assert.equal(formatSlurmTime(23 * 3600 + 59 * 60), '23:59:00');
  assert.equal(formatSlurmTime(86400), '1-00:00:00');
  assert.equal(formatSlurmTime(2 * 86400 + 3 * 3600 + 4 * 60 + 1), '2-03:05:00');
});

test('headroom is a percentage', () => {
  assert.equal(parseHeadroom('20%'), 0.2);
  assert.equal(parseHeadroom('20'), 0.2);
  assert.equal(parseHeadroom('0%'), 0);
  assert.equal(parseHeadroom('12.5%'), 0.125);
  for (const bad of ['-5%', 'x', '20%%', '', '2000%']) {
    assert.throws(() => parseHeadroom(bad), (e: unknown) => e instanceof DuctError && e.code === 'E_OPTION_VALUE' && /--headroom/.test(e.message), bad);
  }
});
