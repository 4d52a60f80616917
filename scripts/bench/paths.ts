import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Repository root: the compiled scripts live in dist/scripts/bench/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where `npm run bench` writes one result file per run (gitignored). */
export const DEFAULT_RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');
/** The committed reference figures for this machine kind. */
export const DEFAULT_BASELINE = join(REPO_ROOT, 'bench', 'baselines.json');
/** Per-benchmark tolerance, gate mode and CV threshold, declared in one place. */
export const DEFAULT_GATES = join(REPO_ROOT, 'bench', 'gates.json');
/** The compiled benchmark modules the runner discovers. */
export const DEFAULT_BENCHMARKS_DIR = fileURLToPath(new URL('./benchmarks/', import.meta.url));
/** The built CLI that benchmarks run. */
export const DUCT_BIN = join(REPO_ROOT, 'dist', 'bin', 'duct.js');
export const README = join(REPO_ROOT, 'README.md');
