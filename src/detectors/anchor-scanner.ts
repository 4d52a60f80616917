/**
 * One pass over a line for every keyword the detectors care about: an Aho–Corasick
 * automaton over ASCII, flattened into a transition table, so the cost per line is
 * one table lookup per character whatever the number of keywords, with no regex
 * and no allocation. The result is a bit mask of the keyword groups that occur.
 */

const ALPHABET = 128;

export interface AnchorGroup {
  /** a single bit, e.g. 1, 2, 4. */
  bit: number;
  anchors: readonly string[];
}

export class AnchorScanner {
  /**
   * next[(state << 7) + c] = (target << 7) | output bits of target: the state is kept
   * pre-shifted and the bits ride in its low 7 bits, so a step is one load, no multiply.
   */
  private readonly next: Int32Array;

  constructor(groups: readonly AnchorGroup[]) {
    // trie
    const goto: Map<number, number>[] = [new Map()];
    const out: number[] = [0];
    for (const g of groups) {
      for (const a of g.anchors) {
        let s = 0;
        for (let i = 0; i < a.length; i++) {
          const c = a.charCodeAt(i);
          if (c >= ALPHABET) throw new Error(`anchor ${JSON.stringify(a)} is not ASCII`);
          let t = goto[s]!.get(c);
          if (t === undefined) {
            t = goto.length;
            goto.push(new Map());
            out.push(0);
            goto[s]!.set(c, t);
          }
          s = t;
        }
        out[s]! |= g.bit;
      }
    }
    // breadth-first failure links, folded into a full transition table
    const n = goto.length;
    const next = new Uint32Array(n * ALPHABET);
    const fail = new Array<number>(n).fill(0);
    const queue: number[] = [];
    for (let c = 0; c < ALPHABET; c++) {
      const t = goto[0]!.get(c);
      if (t !== undefined) {
        next[c] = t;
        queue.push(t);
      }
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi]!;
      out[s]! |= out[fail[s]!]!;
      for (let c = 0; c < ALPHABET; c++) {
        const t = goto[s]!.get(c);
        if (t !== undefined) {
          fail[t] = next[fail[s]! * ALPHABET + c]!;
          next[s * ALPHABET + c] = t;
          queue.push(t);
        } else {
          next[s * ALPHABET + c] = next[fail[s]! * ALPHABET + c]!;
        }
      }
    }
    if (groups.some((g) => g.bit < 1 || g.bit > 64 || (g.bit & (g.bit - 1)) !== 0)) throw new Error('group bits must be single bits below 128');
    const packed = new Int32Array(n * ALPHABET);
    for (let i = 0; i < packed.length; i++) packed[i] = (next[i]! << 7) | out[next[i]!]!;
    this.next = packed;
  }

  /** The OR of the bits of every group with a keyword in `text` (a superset: callers confirm exactly). */
  scan(text: string): number {
    const next = this.next;
    let v = 0;
    let found = 0;
    // A non-ASCII character is folded onto an ASCII one (& 127): that can only add a
    // false candidate, which the exact checks after the scan reject, never lose a keyword.
    for (let i = 0, len = text.length; i < len; i++) {
      v = next[(v & ~127) + (text.charCodeAt(i) & 127)]!;
      found |= v;
    }
    return found & 127;
  }
}
