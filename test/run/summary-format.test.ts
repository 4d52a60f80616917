import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSummaryFormat, DEFAULT_SUMMARY_FORMAT, formatSummary } from '../../src/run/summary-format.js';

test('format specs follow Python: precision, width, alignment', () => {
  assert.equal(formatSummary('{a:.3f}|{b:>5}|{c:<4}|{d:^7.1f}', { a: 1.23456, b: 'x', c: 'y', d: 2 }, false), '1.235|    x|y   |  2.0  ');
});

test('con-duct conversions: !S humanizes, !E colors nonzero red, absent values print a plain "-" without the % after', () => {
  assert.equal(formatSummary('{m!S}', { m: 1536 }, false), '1.50 KiB');
  assert.equal(formatSummary('{e!E}', { e: 3 }, true), '\x1b[1;31m3\x1b[0m');
  assert.equal(formatSummary('{e!E}', { e: 0 }, true), '\x1b[1;32m0\x1b[0m');
  assert.equal(formatSummary('{x:.2f!N}%', { x: null }, false), '-');
  assert.equal(formatSummary('CPU {x:.2f!N}% of {y!S}', { x: null, y: null }, true), 'CPU - of -', 'no color on an absent value');
  assert.equal(formatSummary('{x:.2f!N}%', { x: 12.5 }, false), '12.50%');
  assert.equal(formatSummary('{t!T}', { t: 3725.5 }, false), '1h 2m 5.5s');
});

test("the default summary keeps con-duct's VSZ and %MEM lines where measured, and leaves them out otherwise", () => {
  const vsz = 'Virtual Memory Peak Usage (VSZ): ';
  const measured = formatSummary(DEFAULT_SUMMARY_FORMAT, { peak_vsz: 3 * 1024 * 1024, average_vsz: 1024, peak_pmem: 2.4, average_pmem: 1.9 }, false);
  assert.match(measured, /^Virtual Memory Peak Usage \(VSZ\): 3\.00 MiB$/m);
  assert.match(measured, /^Memory Peak Percentage: 2\.40%$/m);
  assert.match(measured, /^Memory Average Percentage: 1\.90%$/m);
  const unmeasured = formatSummary(DEFAULT_SUMMARY_FORMAT, {}, false);
  assert.equal(unmeasured.includes(vsz), false);
  assert.equal(unmeasured.includes('Memory Peak Percentage'), false);
  assert.match(unmeasured, /^CPU Peak Usage: -$/m);
  assert.ok(unmeasured.endsWith('\n'));
});

test('checkSummaryFormat rejects unknown fields and conversions, accepts measurement keys', () => {
  assert.doesNotThrow(() => checkSummaryFormat('{cgroup_mem_peak!S} {proc_rss_total_mean:.1f}'));
  assert.throws(() => checkSummaryFormat('{nope}'), /unknown field \{nope\}/);
  assert.throws(() => checkSummaryFormat('{exit_code!Q}'), /unknown conversion !Q/);
});
