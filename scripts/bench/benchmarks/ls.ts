import { spawn } from 'node:child_process';
import { rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { generateRuns } from '../../../test/fixtures/runs/generate.js';
import type { BenchContext, BenchOutcome, Benchmark } from '../types.js';

const INDEX = '.duct-index.sqlite';

interface Timed {
  ms: number;
  /** the ls process's own CPU time (user + system), start-up included. */
  cpuMs: number;
  listed: number;
}

/**
 * Runs the CLI in this node process after setting argv as bin.js expects, and reports the
 * process's CPU time on fd 3 at exit: a figure the machine's other load barely moves.
 */
const CPU_WRAPPER = `
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bin, ...args] = process.argv.slice(1);
process.argv = [process.argv[0], bin, ...args];
process.on('exit', () => { const u = process.cpuUsage(); writeSync(3, JSON.stringify({ cpu_ms: (u.user + u.system) / 1000 })); });
await import(pathToFileURL(bin).href);
`;

/** Time one `duct ls DIR -f json` end to end (process start included: what a user waits for) and count what it listed. */
function timeLs(ctx: BenchContext, dir: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, XDG_CONFIG_HOME: join(ctx.tmp, '.xdg-none'), DUCT_CONFIG_PATHS: '' };
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', CPU_WRAPPER, ctx.ductBin, 'ls', dir, '-f', 'json', '-F', 'path'], {
      cwd: ctx.tmp,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const cpu: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (b: Buffer) => cpu.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`duct ls exited ${String(code)}: ${Buffer.concat(err).toString('utf8').trim()}`));
      const cpuMs = (JSON.parse(Buffer.concat(cpu).toString('utf8') || '{"cpu_ms":null}') as { cpu_ms: number }).cpu_ms;
      resolve({ ms, cpuMs, listed: (JSON.parse(Buffer.concat(out).toString('utf8')) as unknown[]).length });
    });
  });
}

/**
 * Warm up as a directory of runs that finished a while ago: index it, put the
 * directory's mtime a minute back (a just-moved mtime is not trusted, as a rename
 * within the same timestamp tick would not move it again), and index it again.
 */
async function warmUp(dir: string, list: () => Promise<unknown>): Promise<void> {
  await list();
  const past = new Date(Date.now() - 60_000);
  utimesSync(dir, past, past);
  await list();
}

function removeIndex(dir: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, INDEX + suffix), { force: true });
}

/** ls over `count` generated runs, with the index removed before each repeat (cold) or primed once (warm). */
function lsBenchmark(count: number, warm: boolean): Benchmark {
  const state = warm ? 'warm' : 'cold';
  return {
    name: `ls_${state}_${count}`,
    description: `\`duct ls -f json\` over ${count.toLocaleString('en')} generated runs, ${warm ? 'index up to date, runs finished a minute ago' : 'no index yet (reads every info.json)'}; wall time including process start (its CPU time in the details)`,
    unit: 'ms',
    target: warm && count === 10_000 ? '<= 150' : 'report',
    higherIsBetter: false,
    async run(ctx: BenchContext): Promise<BenchOutcome> {
      const n = ctx.quick ? Math.round(count / 5) : count;
      const dir = join(ctx.tmp, `runs-${n}`);
      ctx.progress(`generating ${n} runs`);
      generateRuns(dir, n);
      if (warm) await warmUp(dir, () => timeLs(ctx, dir));
      const repeats: number[] = [];
      const cpuMs: number[] = [];
      for (let i = 0; i < ctx.repeats; i++) {
        if (!warm) removeIndex(dir);
        ctx.progress(`ls ${state} over ${n} runs: repeat ${i + 1}/${ctx.repeats}`);
        const t = await timeLs(ctx, dir);
        if (t.listed !== n) throw new Error(`duct ls listed ${t.listed} runs, expected ${n}`);
        repeats.push(t.ms);
        cpuMs.push(t.cpuMs);
      }
      return { figure: median(repeats), repeats, details: { runs: n, state, cpu_ms: cpuMs, cpu_ms_median: median(cpuMs) } };
    },
  };
}

/**
 * The warm ls work in this process (walk, index, format; no process start), as CPU time:
 * on a shared machine CPU time moves far less with other load than wall time does.
 */
function lsWarmCpuBenchmark(count: number): Benchmark {
  return {
    name: `ls_warm_${count}_cpu`,
    description: `CPU time of a warm \`duct ls -f json\` over ${count.toLocaleString('en')} runs inside one process (walk + index + output, no Node start-up)`,
    unit: 'ms',
    target: 'report',
    higherIsBetter: false,
    async run(ctx: BenchContext): Promise<BenchOutcome> {
      const { parseLsArgs, renderLs } = await import('../../../src/cli/ls.js');
      const n = ctx.quick ? Math.round(count / 5) : count;
      const dir = join(ctx.tmp, `runs-${n}`);
      ctx.progress(`generating ${n} runs`);
      generateRuns(dir, n);
      const plan = parseLsArgs([dir, '-f', 'json', '-F', 'path']);
      const io = { warn: (m: string) => void ctx.progress(`warning: ${m}`) };
      await warmUp(dir, () => renderLs(plan, io));
      const repeats: number[] = [];
      const walls: number[] = [];
      for (let i = 0; i < ctx.repeats; i++) {
        const cpu0 = process.cpuUsage();
        const wall0 = performance.now();
        const out = await renderLs(plan, io);
        const cpu = process.cpuUsage(cpu0);
        walls.push(performance.now() - wall0);
        if ((JSON.parse(out) as unknown[]).length !== n) throw new Error('ls listed the wrong number of runs');
        repeats.push((cpu.user + cpu.system) / 1000);
      }
      return { figure: median(repeats), repeats, details: { runs: n, wall_ms: walls } };
    },
  };
}

export const lsBenchmarks: Benchmark[] = [
  lsBenchmark(1_000, false),
  lsBenchmark(1_000, true),
  lsBenchmark(10_000, false),
  lsBenchmark(10_000, true),
  lsWarmCpuBenchmark(10_000),
];
