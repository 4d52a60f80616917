import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

const HEAVY = ['vega', 'vega-lite', '@resvg/resvg-js', 'yaml', 'simple-statistics'];
const STATIC_IMPORT = /^\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/gm;

/** Every package reachable from a compiled module through static imports only (dynamic import() is what keeps the others lazy). */
function staticPackages(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) pending.push(resolve(dirname(file), spec));
      else packages.add(spec);
    }
  }
  return packages;
}

const CLI = join(REPO_ROOT, 'dist', 'src', 'cli');

test('plot, ls and pp load vega, vega-lite, resvg, yaml and simple-statistics only when they need them', () => {
  const plot = staticPackages(join(CLI, 'plot.js'));
  for (const p of ['vega', 'vega-lite', '@resvg/resvg-js']) assert.equal(plot.has(p), false, `plot.js statically imports ${p}`);
  const ls = staticPackages(join(CLI, 'ls.js'));
  for (const p of ['yaml', 'simple-statistics', 'vega']) assert.equal(ls.has(p), false, `ls.js statically imports ${p}`);
  assert.ok(ls.has('better-sqlite3'), 'the walk does follow static imports');
});

test('duct run and the dispatcher never load the chart packages', () => {
  for (const entry of ['main.js', 'run.js', 'bin.js']) {
    const pkgs = staticPackages(join(CLI, entry));
    for (const p of HEAVY.slice(0, 3)) assert.equal(pkgs.has(p), false, `${entry} statically imports ${p}`);
  }
});
