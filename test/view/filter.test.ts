import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Unit } from '../../src/aggregation/types.js';
import { compileFilter, type FieldValue } from '../../src/view/filter/evaluate.js';
import { FilterError } from '../../src/view/filter/filter-error.js';
import { tokenize } from '../../src/view/filter/lexer.js';
import { parseFilter } from '../../src/view/filter/parser.js';
import { fieldCatalog } from '../../src/view/fields.js';

const UNITS = new Map<string, Unit | undefined>([
  ['exit_code', 'count'],
  ['cgroup_mem_peak', 'bytes'],
  ['wall_clock_time', 'seconds'],
  ['proc_pdcpu_total', 'percent'],
  ['command', undefined],
  ['signal', undefined],
  ['start_time', undefined],
]);
const catalog = fieldCatalog(UNITS);

function matches(expr: string, run: Record<string, FieldValue>): boolean {
  return compileFilter(expr, catalog).test((name) => run[name] ?? null);
}

function filterError(expr: string): FilterError {
  try {
    compileFilter(expr, catalog);
  } catch (err) {
    assert.ok(err instanceof FilterError, `expected a FilterError for ${expr}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${expr} to be rejected`);
}

const GiB = 1024 ** 3;
const failedBig = { exit_code: 1, cgroup_mem_peak: 3 * GiB, wall_clock_time: 90, proc_pdcpu_total: 350, command: 'python train.py', signal: null };
const okSmall = { exit_code: 0, cgroup_mem_peak: 512 * 1024 ** 2, wall_clock_time: 5, proc_pdcpu_total: 99.5, command: 'sh prepare.sh', signal: null };

test('size, duration and percent literals carry their value in bytes, seconds and percent', () => {
  const cases: [string, string, number][] = [
    ['2GiB', 'bytes', 2 * GiB],
    ['1.5MiB', 'bytes', 1.5 * 1024 ** 2],
    ['512KiB', 'bytes', 512 * 1024],
    ['3GB', 'bytes', 3e9],
    ['10B', 'bytes', 10],
    ['90s', 'seconds', 90],
    ['1h30m', 'seconds', 5400],
    ['2m5s', 'seconds', 125],
    ['250ms', 'seconds', 0.25],
    ['1d', 'seconds', 86400],
    ['150%', 'percent', 150],
    ['42', 'number', 42],
    ['1e3', 'number', 1000],
  ];
  for (const [text, kind, value] of cases) {
    const [tok] = tokenize(text);
    assert.ok(tok && tok.type === 'num', text);
    assert.equal(tok.kind, kind, text);
    assert.ok(Math.abs(tok.value - value) < 1e-9, `${text}: ${tok.value} != ${value}`);
  }
});

test('the issue example selects the failed run above 2 GiB', () => {
  const expr = 'exit_code != 0 and cgroup_mem_peak > 2GiB';
  assert.equal(matches(expr, failedBig), true);
  assert.equal(matches(expr, okSmall), false);
  assert.equal(matches(expr, { ...failedBig, cgroup_mem_peak: 1 * GiB }), false);
});

test('not binds tighter than and, and tighter than or; parentheses override', () => {
  const e = parseFilter('not a or b and c');
  assert.equal(e.type, 'or');
  assert.ok(e.type === 'or' && e.left.type === 'not' && e.right.type === 'and');
  // a or b and c == a or (b and c)
  const x = { exit_code: 0, wall_clock_time: 5, proc_pdcpu_total: 1 };
  assert.equal(matches('exit_code == 0 or wall_clock_time > 10s and proc_pdcpu_total > 50%', x), true);
  assert.equal(matches('(exit_code == 0 or wall_clock_time > 10s) and proc_pdcpu_total > 50%', x), false);
  assert.equal(matches('not exit_code == 0', x), false);
  assert.equal(matches('not (exit_code == 1 or exit_code == 2)', x), true);
  assert.equal(matches('not not exit_code == 0', x), true);
});

test('comparison operators on numbers, strings and null', () => {
  assert.equal(matches('wall_clock_time >= 90s', failedBig), true);
  assert.equal(matches('wall_clock_time < 90s', failedBig), false);
  assert.equal(matches('wall_clock_time <= 1m30s', failedBig), true);
  assert.equal(matches('proc_pdcpu_total > 300%', failedBig), true);
  assert.equal(matches('command == "python train.py"', failedBig), true);
  assert.equal(matches("command ~ 'train'", failedBig), true);
  assert.equal(matches("command !~ 'train'", okSmall), true);
  assert.equal(matches('signal == null', failedBig), true);
  assert.equal(matches('signal != null', { ...failedBig, signal: 'SIGKILL' }), true);
  assert.equal(matches('start_time >= "2026-11-20"', { start_time: '2026-11-20T10:00:00Z' }), true);
  // a lone '=' reads as '=='
  assert.equal(matches('exit_code = 1', failedBig), true);
});

test('a missing field never satisfies an ordering, and != holds against a value', () => {
  const running = { exit_code: null, command: 'x' };
  assert.equal(matches('exit_code > 0', running), false);
  assert.equal(matches('exit_code < 1', running), false);
  assert.equal(matches('exit_code != 0', running), true);
  assert.equal(matches('exit_code == null', running), true);
  assert.equal(matches('cgroup_mem_peak > 1GiB', running), false);
});

test('a bare field is true when present and not zero or empty', () => {
  assert.equal(matches('signal', { signal: 'SIGTERM' }), true);
  assert.equal(matches('signal', { signal: null }), false);
  assert.equal(matches('not exit_code', { exit_code: 0 }), true);
});

test('a measurement key no run has is accepted (collector-first names), an unknown word is not', () => {
  assert.equal(matches('proc_pss_total > 1GiB', okSmall), false);
  const err = filterError('exit_code == 0 and bogus > 3');
  assert.equal(err.column, 20);
  assert.match(err.message, /^--filter, column 20: unknown field 'bogus'/);
});

test('syntax errors name the column and draw a caret under it', () => {
  const table: [string, number, RegExp][] = [
    ['exit_code != ', 14, /expected a field or a value after '!=', got end of input/],
    ['exit_code != 0 and', 19, /expected a field, a value or '\(', got end of input/],
    ['(exit_code == 0', 16, /expected '\)' to close '\(' at column 1/],
    ['exit_code == 0 cgroup_mem_peak', 16, /expected 'and', 'or' or end of input, got 'cgroup_mem_peak'/],
    ['exit_code == 2XB', 15, /unknown unit 'XB'/],
    ['command == "unterminated', 12, /unterminated string/],
    ['exit_code @ 1', 11, /unexpected character '@'/],
    ['3 4', 3, /expected a comparison operator after 3/],
    ['1h30 > wall_clock_time', 5, /expected a duration unit after 30/],
  ];
  for (const [expr, column, reason] of table) {
    const err = filterError(expr);
    assert.equal(err.column, column, expr);
    assert.match(err.message, reason, expr);
    assert.equal(err.code, 'E_FILTER_SYNTAX');
    assert.equal(err.exitCode, 2);
    const lines = err.message.split('\n');
    assert.equal(lines[1], `  ${expr}`);
    assert.equal(lines[2]!.indexOf('^'), 2 + column - 1, `caret under column ${column} in ${expr}`);
  }
});

test('a literal of the wrong kind for the field is refused at its column', () => {
  const err = filterError('exit_code != 0 and cgroup_mem_peak > 2s');
  assert.equal(err.column, 38);
  assert.match(err.message, /2s is a duration but cgroup_mem_peak is in bytes/);
  assert.match(filterError('wall_clock_time > 1GiB').message, /1GiB is a size but wall_clock_time is in seconds/);
  assert.match(filterError("command ~ 3").message, /'~' tests whether text contains text/);
});
