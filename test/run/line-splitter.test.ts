import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from '../../src/run/line-splitter.js';

function split(chunks: Array<string | Buffer>, max?: number): Array<[string, boolean]> {
  const out: Array<[string, boolean]> = [];
  const s = new LineSplitter((t, tr) => out.push([t, tr]), max);
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c);
  s.end();
  return out;
}

test('lines split across chunks join, CRLF loses its CR, a last line without newline counts', () => {
  assert.deepEqual(split(['ab', 'c\nde', 'f\r\ng']), [['abc', false], ['def', false], ['g', false]]);
});

test('a multi-byte character split between chunks decodes whole', () => {
  const euro = Buffer.from('€\n'); // e2 82 ac 0a
  assert.deepEqual(split([euro.subarray(0, 1), euro.subarray(1, 2), euro.subarray(2)]), [['€', false]]);
});

test('lines over the cap are cut and flagged, and the next line is whole again', () => {
  assert.deepEqual(split(['abcdefgh\nxy\n'], 4), [['abcd', true], ['xy', false]]);
  assert.deepEqual(split(['ab', 'cd', 'ef', 'gh\nok\n'], 4), [['abcd', true], ['ok', false]]);
  assert.deepEqual(split(['abcdef'], 4), [['abcd', true]]);
});

test('empty lines are lines', () => {
  assert.deepEqual(split(['\n\nx\n']), [['', false], ['', false], ['x', false]]);
});

test('progress-bar frames ended by \\r are reported live; the line itself is handed over once, whole', () => {
  const lines: string[] = [];
  const frames: string[] = [];
  const s = new LineSplitter((t) => lines.push(t), 1024, (f) => frames.push(f));
  s.push(Buffer.from(' 10%|#   | 1/10\r'));
  s.push(Buffer.from(' 20%|##  | 2/10\r 30%'));
  s.push(Buffer.from('|### | 3/10\r100%|####| 10/10\n'));
  s.end();
  assert.deepEqual(frames, [' 10%|#   | 1/10', ' 20%|##  | 2/10']);
  assert.deepEqual(lines, [' 10%|#   | 1/10\r 20%|##  | 2/10\r 30%|### | 3/10\r100%|####| 10/10']);
});
