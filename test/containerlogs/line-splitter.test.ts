import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from '../../src/containerlogs/line-splitter.js';

function split(chunks: string[], max: number): { lines: [string, number, number][]; consumed: number } {
  const lines: [string, number, number][] = [];
  const s = new LineSplitter(max, (buf, start, end, dropped, endOffset) => lines.push([buf.toString('utf8', start, end), dropped, endOffset]));
  for (const c of chunks) s.push(Buffer.from(c));
  return { lines, consumed: s.consumedOffset };
}

test('lines within and across chunks, with end offsets; an unfinished tail is not consumed', () => {
  const { lines, consumed } = split(['ab\ncd', 'e\n\nf', 'g'], 100);
  assert.deepEqual(lines, [['ab', 0, 3], ['cde', 0, 7], ['', 0, 8]]);
  assert.equal(consumed, 8);
});

test('a line longer than the cap keeps the first max bytes and counts the rest, in one chunk or many', () => {
  assert.deepEqual(split(['0123456789\nxy\n'], 4).lines, [['0123', 6, 11], ['xy', 0, 14]]);
  assert.deepEqual(split(['01', '2345', '678', '9\nxy\n'], 4).lines, [['0123', 6, 11], ['xy', 0, 14]]);
});
