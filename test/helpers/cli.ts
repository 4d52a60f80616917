import { spawn, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (compiled tests live in dist/test/...). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The built CLI as installed (package.json's bin: the esbuild bundle), run as a black box. */
export const DUCT_BIN = join(REPO_ROOT, 'dist', 'bin', 'duct.js');
/** Tiny executable fixtures (test/fixtures/bin/*), one behaviour each. */
export const FIXTURE_BIN = join(REPO_ROOT, 'test', 'fixtures', 'bin');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export interface RunCliOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  timeoutMs?: number;
  /** called with the child right after spawn (to send signals). */
  onSpawn?: (child: ReturnType<typeof spawn>) => void;
  /**
   * After a `duct run`, every run whose info.json it wrote under cwd must validate against
   * schema/ (warnings allowed), or the call rejects with the problems. Default true; false
   * only for a test that writes invalid files on purpose.
   */
  validateOutputs?: boolean;
}

/** Subcommands that write no run files; anything else (`run`, or a bare command) is a run. */
const NON_RUN_SUBCOMMANDS = new Set(['ls', 'plot', 'pp', 'validate', 'detect', 'recommend']);

/** Run `node dist/bin/duct.js ARGS` and collect everything; kills it after timeoutMs (default 60 s). */
export function runCli(args: string[], opts: RunCliOptions): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // isolate from the developer's own config files
    XDG_CONFIG_HOME: join(opts.cwd, '.xdg-none'),
    DUCT_CONFIG_PATHS: '',
    PATH: `${FIXTURE_BIN}:${process.env.PATH ?? ''}`,
    ...opts.env,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const spawnOpts: SpawnOptions = { cwd: opts.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] };
  const startedMs = Date.now();
  const checkRuns = opts.validateOutputs !== false && !NON_RUN_SUBCOMMANDS.has(args[0] ?? '');
  return new Promise<CliResult>((resolve, reject) => {
    const child = spawn(process.execPath, [DUCT_BIN, ...args], spawnOpts);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, signal, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    else child.stdin!.end();
    opts.onSpawn?.(child);
  }).then(async (result) => {
    // loaded lazily: most helpers' users never need ajv
    if (checkRuns) await (await import('./validate.js')).assertRunsWrittenSinceValid(opts.cwd, startedMs);
    return result;
  });
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'duct-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Poll `check` every 20 ms until it returns true, failing after capMs. */
export async function pollUntil(check: () => boolean | Promise<boolean>, capMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + capMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${capMs} ms waiting for ${what}`);
}

/** Run `fn` in a fresh temporary directory that is removed afterwards, whatever happens. */
export async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const t = tempDir();
  try {
    await fn(t.dir);
  } finally {
    t.cleanup();
  }
}
