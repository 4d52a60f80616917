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

const BUNDLE = join(REPO_ROOT, 'dist', 'bin');
/** A chunk's static imports of other chunks (`import {..} from "./x.js"`, `import "./x.js"`); dynamic import() is not followed. */
const CHUNK_IMPORT = /^(?:import|export)\b[^;'"]*?["'](\.\/[^"']+\.js)["']/gm;

/** The bundle's chunks loaded with `entry`, and the packages inlined in them (esbuild's `// node_modules/<pkg>/` comments) or imported. */
function bundleClosure(entry: string): { chunks: Set<string>; packages: Set<string> } {
  const chunks = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (chunks.has(file)) continue;
    chunks.add(file);
    const text = readFileSync(join(BUNDLE, file), 'utf8');
    for (const m of text.matchAll(CHUNK_IMPORT)) pending.push(m[1]!.slice(2));
    for (const m of text.matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)) packages.add(m[1]!);
    // an import of node_modules (the packages left out of the bundle), by package name
    for (const m of text.matchAll(/^import\b[^;'"]*?from\s*["']([^."'][^"']*)["']/gm)) {
      if (!m[1]!.startsWith('node:')) packages.add(/^(?:@[^/]+\/)?[^/]+/.exec(m[1]!)![0]);
    }
  }
  return { chunks, packages };
}

test('the bundle (package.json bin) loads for `duct run` only its own chunks: no chart, schema, index or statistics package', () => {
  const main = bundleClosure('duct.js');
  const mainText = [...main.chunks].map((c) => readFileSync(join(BUNDLE, c), 'utf8')).join('\n');
  const runChunk = /import\(["']\.\/(run-[A-Z0-9]+\.js)["']\)/.exec(mainText)?.[1];
  assert.ok(runChunk, 'the dispatcher imports the run subcommand lazily');
  const run = bundleClosure(runChunk);
  assert.ok(run.packages.has('yargs'), 'the walk does see inlined packages');
  for (const p of [...HEAVY, 'ajv', 'better-sqlite3', 'systeminformation']) {
    assert.equal(main.packages.has(p) || run.packages.has(p), false, `duct run loads ${p}`);
  }
  const plot = /import\(["']\.\/(plot-[A-Z0-9]+\.js)["']\)/.exec(mainText)?.[1];
  assert.ok(plot && !run.chunks.has(plot), 'plot stays a chunk of its own');
});
