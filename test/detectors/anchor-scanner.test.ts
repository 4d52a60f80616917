import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AnchorScanner } from '../../src/detectors/anchor-scanner.js';

const groups = [
  { bit: 1, anchors: ['out of memory', 'Stale file handle', 'queue.Empty', 'abcab'] },
  { bit: 2, anchors: ['step', 'it [', '<'] },
  { bit: 4, anchors: ['val', 'bca'] },
];
const scanner = new AnchorScanner(groups);

/** The reference: one includes() per keyword. */
function reference(text: string): number {
  let m = 0;
  for (const g of groups) if (g.anchors.some((a) => text.includes(a))) m |= g.bit;
  return m;
}

test('finds each group, overlapping and suffix keywords included', () => {
  assert.equal(scanner.scan(''), 0);
  assert.equal(scanner.scan('nothing to see'), 0);
  assert.equal(scanner.scan('CUDA out of memory'), 1);
  assert.equal(scanner.scan('xxstepxx'), 2);
  assert.equal(scanner.scan('interval'), 4);
  assert.equal(scanner.scan('abcabca'), 1 | 4, 'abcab, and bca inside it via the failure link');
  assert.equal(scanner.scan('ababcab'), 1 | 4);
  assert.equal(scanner.scan('out of memor'), 0);
  assert.equal(scanner.scan('█ step █ val █ <'), 2 | 4);
});

test('agrees with includes() on every keyword, on arbitrary text (no keyword is ever missed)', () => {
  const alphabet = fc.constantFrom(...'abcoutfmemryvalstep [<.Empty█é😀 '.split(''));
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 60 }).map((cs) => cs.join('')), (text) => {
      const got = scanner.scan(text);
      const want = reference(text);
      // non-ASCII folding may add a candidate bit, never drop one
      assert.equal(got & want, want, JSON.stringify(text));
      if (!/[^\x00-\x7f]/.test(text)) assert.equal(got, want, JSON.stringify(text));
    }),
    { numRuns: 2000 },
  );
});

test('a keyword broken by a non-ASCII character is not found as whole', () => {
  assert.equal(scanner.scan('st€p') & 2, 0);
});

test('refuses a non-ASCII keyword and a group bit that is not a single bit', () => {
  assert.throws(() => new AnchorScanner([{ bit: 1, anchors: ['é'] }]), /not ASCII/);
  assert.throws(() => new AnchorScanner([{ bit: 3, anchors: ['a'] }]), /single bits/);
});
