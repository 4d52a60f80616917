import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { formatRows, type Row } from '../../src/view/formats.js';

const fields = ['prefix', 'exit_code', 'wall_clock_time', 'mem_peak', 'cpu_peak'];
const rows: Row[] = [
  {
    values: { prefix: 'logs/a_', exit_code: 0, wall_clock_time: 3725.5, mem_peak: 1536 * 1024 ** 2, cpu_peak: 390.5 },
    units: { exit_code: 'count', wall_clock_time: 'seconds', mem_peak: 'bytes', cpu_peak: 'percent' },
  },
  { values: { prefix: 'logs/b_', exit_code: 1, wall_clock_time: 2.5, mem_peak: null, cpu_peak: 12 }, units: { exit_code: 'count', wall_clock_time: 'seconds', cpu_peak: 'percent' } },
];

test('json holds raw numbers in --fields order and null for a missing figure', async () => {
  const out = await formatRows('json', rows, fields, { colors: false });
  assert.equal(out.endsWith('\n'), true);
  assert.equal(out.split('\n').length, 2, 'one line');
  const parsed = JSON.parse(out) as Record<string, unknown>[];
  assert.deepEqual(parsed[0], { prefix: 'logs/a_', exit_code: 0, wall_clock_time: 3725.5, mem_peak: 1610612736, cpu_peak: 390.5 });
  assert.deepEqual(Object.keys(parsed[1]!), fields);
  assert.equal(parsed[1]!.mem_peak, null);
});

test('json_pp and yaml hold the same data as json', async () => {
  const json = JSON.parse(await formatRows('json', rows, fields, { colors: false })) as unknown;
  const pp = await formatRows('json_pp', rows, fields, { colors: false });
  assert.match(pp, /^\[\n  \{\n    "prefix": "logs\/a_",/);
  assert.deepEqual(JSON.parse(pp), json);
  assert.deepEqual(parseYaml(await formatRows('yaml', rows, fields, { colors: false })), json);
});

test('pyout is an aligned table with humanized units', async () => {
  const out = await formatRows('pyout', rows, fields, { colors: false });
  const lines = out.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^PREFIX\s+EXIT_CODE\s+WALL_CLOCK_TIME\s+MEM_PEAK\s+CPU_PEAK$/);
  assert.match(lines[1]!, /^logs\/a_\s+0\s+1h 2m 5\.5s\s+1\.50 GiB\s+390\.50%$/);
  assert.match(lines[2]!, /^logs\/b_\s+1\s+2\.5s\s+-\s+12\.00%$/);
  const col = lines[0]!.indexOf('MEM_PEAK');
  assert.equal(lines[1]!.indexOf('1.50 GiB'), col, 'columns line up');
  assert.equal(out.includes('\u001b['), false, 'no colors unless asked');
});

test('summaries print one block per run; colors only when asked', async () => {
  const out = await formatRows('summaries', rows, fields, { colors: false });
  assert.equal(out, 'logs/a_\n  exit_code:       0\n  wall_clock_time: 1h 2m 5.5s\n  mem_peak:        1.50 GiB\n  cpu_peak:        390.50%\n\nlogs/b_\n  exit_code:       1\n  wall_clock_time: 2.5s\n  mem_peak:        -\n  cpu_peak:        12.00%\n');
  const colored = await formatRows('summaries', rows, fields, { colors: true });
  assert.ok(colored.includes('\u001b[31m1\u001b[0m'), 'a failed exit code is red');
  assert.ok(colored.includes('\u001b[32m0\u001b[0m'), 'a zero exit code is green');
});

test('no runs: an empty list for machine formats, nothing for people', async () => {
  assert.equal(await formatRows('json', [], fields, { colors: false }), '[]\n');
  assert.equal(await formatRows('yaml', [], fields, { colors: false }), '[]\n');
  assert.equal(await formatRows('pyout', [], fields, { colors: false }), '');
});
