/** Edit distance (insertions, deletions, substitutions, and a swap of two neighbours counts one). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The name a typo most likely meant: one the input begins (`mem` → `mem_peak`), else the
 * nearest within a third of its length; null when none is close.
 */
export function suggestName(input: string, names: Iterable<string>): string | null {
  const all = [...names];
  const extending = all.filter((n) => n.startsWith(input) && n !== input).sort((a, b) => a.length - b.length);
  if (input.length >= 3 && extending.length > 0) return extending[0]!;
  let best: string | null = null;
  let bestD = Math.max(1, Math.floor(input.length / 3)) + 1;
  for (const n of all) {
    const dist = distance(input, n);
    if (dist < bestD) [best, bestD] = [n, dist];
  }
  return best;
}

/** ` (did you mean X?)`, or '' when nothing is close. */
export function didYouMean(input: string, names: Iterable<string>, prefix = ''): string {
  const s = suggestName(input, names);
  return s === null ? '' : ` (did you mean ${prefix}${s}?)`;
}
