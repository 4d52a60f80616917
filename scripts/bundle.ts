import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * Bundle the CLI into dist/bin/: duct.js and the chunks it loads. Loading a few
 * files instead of hundreds of modules is most of duct's start-up; code
 * splitting keeps every subcommand's (and each heavy package's) code in chunks
 * loaded only by its dynamic import(), as in the unbundled build.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, 'dist', 'bin');
/**
 * The packages `duct run` loads are inlined; the others stay imports of node_modules: native
 * addons find their .node files from their own directory, and the lazily loaded ones (charts,
 * schemas, the index) cost nothing at start-up either way and keep their own module semantics.
 */
const INLINED = new Set(['yargs', 'dotenv']);
const dependencies = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
const external = new Set(dependencies.filter((d) => !INLINED.has(d)));

/** Leaves imports of those packages as they are; their JSON files are inlined (an external JSON import would need an import attribute esbuild drops). */
const leaveExternal: Plugin = {
  name: 'duct-external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const pkg = /^(?:@[^/]+\/)?[^/]+/.exec(args.path)?.[0] ?? args.path;
      return external.has(pkg) && !args.path.endsWith('.json') ? { path: args.path, external: true } : undefined;
    });
  },
};

/**
 * cliui's ESM entry (what yargs' ESM build imports) wraps help by cutting at the column,
 * mid-word (`{hos` / `tname}`); its CommonJS build wraps between words (wrap-ansi).
 */
const wordWrappingHelp: Plugin = {
  name: 'duct-cliui-word-wrap',
  setup(b) {
    b.onResolve({ filter: /^cliui$/ }, () => ({ path: join(ROOT, 'node_modules', 'cliui', 'build', 'index.cjs') }));
  },
};

rmSync(OUT, { recursive: true, force: true }); // no chunk of an earlier build is left to load
await build({
  entryPoints: { duct: join(ROOT, 'src', 'cli', 'bin.ts') },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [leaveExternal, wordWrappingHelp],
  // CommonJS packages inside the ESM bundle still call require() for Node's built-ins
  banner: { js: "import { createRequire as __ductRequire } from 'node:module'; const require = __ductRequire(import.meta.url);" },
  logLevel: 'warning',
});
