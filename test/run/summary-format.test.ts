import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSummaryFormat, formatSummary } from '../../src/run/summary-format.js';

test('format specs follow Python: precision, width, alignment', () => {
  assert.equal(formatSummary('{a:.3f}|{b:>5}|{c:<4}|{d:^7.1f}', { a: 1.23456, b: 'x', c: 'y', d: 2 }, false), '1.235|    x|y   |  2.0  ');
});

test('con-duct conversions: !S humanizes, !E colors nonzero red, absent values print "-"', () => {
  assert.equal(formatSummary('{m!S}', { m: 1536 }, false), '1.50 KiB');
  assert.equal(formatSummary('{e!E}', { e: 3 }, true), '\x1b[1;31m3\x1b[0m');
  assert.equal(formatSummary('{e!E}', { e: 0 }, true), '\x1b[1;32m0\x1b[0m');
  assert.equal(formatSummary('{x:.2f!N}%', { x: null }, false), '-%');
  assert.equal(formatSummary('{t!T}', { t: 3725.5 }, false), '1h 2m 5.5s');
});

test('checkSummaryFormat rejects unknown fields and conversions, accepts measurement keys', () => {
  assert.doesNotThrow(() => checkSummaryFormat('{cgroup_mem_peak!S} {proc_rss_total_mean:.1f}'));
  assert.throws(() => checkSummaryFormat('{nope}'), /unknown field \{nope\}/);
  assert.throws(() => checkSummaryFormat('{exit_code!Q}'), /unknown conversion !Q/);
});
