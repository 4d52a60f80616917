import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { REPO_ROOT } from '../paths.js';
import type { BenchContext, Benchmark } from '../types.js';

/** con-duct 0.21 (Python 3), beside the repository; the con-duct side of a figure is skipped where it is absent. */
export const CONDUCT_BIN = join(REPO_ROOT, '..', 'shared', 'con-duct', 'bin', 'duct');
const GNU_TIME = '/usr/bin/time';
/** Whole-process runs per side and repeat, alternated so drift in machine load hits both alike. */
const RUNS_PER_REPEAT = 10;
const QUICK_RUNS = 3;

interface ProcessCost {
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
}

/** One whole-process run under GNU time: wall from spawn to exit, its CPU (user + system) and peak RSS. */
function timeOnce(argv: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ProcessCost> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(GNU_TIME, ['-f', 'cost %U %S %M', ...argv], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
      const m = /cost ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(err);
      if (code !== 0 || !m) return reject(new Error(`${argv.join(' ')} exited ${String(code)}: ${err.trim().split('\n')[0] ?? ''}`));
      resolve({ wallSeconds, cpuSeconds: Number(m[1]) + Number(m[2]), peakRssMiB: Number(m[3]) / 1024 });
    });
  });
}

/** Environment that ignores the developer's own .env files (duct) and config (con-duct). */
function isolatedEnv(tmp: string): NodeJS.ProcessEnv {
  return { ...process.env, XDG_CONFIG_HOME: join(tmp, '.xdg-none'), DUCT_CONFIG_PATHS: '' };
}

interface Sides {
  duct: ProcessCost[];
  conduct: ProcessCost[] | null;
  /** `node -e 0`: what any Node.js process costs here, the floor under duct's figures. */
  node: ProcessCost[];
}

/** `duct -q -p D/ true` and con-duct's same run, alternated with a bare Node.js start, each run in a fresh output directory. */
async function measureSides(ctx: BenchContext, runs: number): Promise<Sides> {
  const env = isolatedEnv(ctx.tmp);
  const sides: Sides = { duct: [], conduct: existsSync(CONDUCT_BIN) ? [] : null, node: [] };
  for (let i = 0; i < runs; i++) {
    sides.duct.push(await timeOnce([process.execPath, ctx.ductBin, '-q', '-p', `d${i}/`, 'true'], ctx.tmp, env));
    if (sides.conduct) sides.conduct.push(await timeOnce([CONDUCT_BIN, '-q', '-p', `c${i}/`, 'true'], ctx.tmp, env));
    sides.node.push(await timeOnce([process.execPath, '-e', '0'], ctx.tmp, env));
    rmSync(join(ctx.tmp, `d${i}`), { recursive: true, force: true });
    rmSync(join(ctx.tmp, `c${i}`), { recursive: true, force: true });
  }
  return sides;
}

const med = (xs: ProcessCost[], k: keyof ProcessCost): number => median(xs.map((x) => x[k]));

function sideDetails(s: Sides): Record<string, unknown> {
  const one = (xs: ProcessCost[] | null) => (xs ? { wall_s: med(xs, 'wallSeconds'), cpu_s: med(xs, 'cpuSeconds'), peak_rss_mib: med(xs, 'peakRssMiB') } : null);
  return { duct: one(s.duct), conduct: s.conduct ? one(s.conduct) : 'con-duct absent: column skipped', node_e_0: one(s.node) };
}

async function gnuTimeMissing(): Promise<string | null> {
  return existsSync(GNU_TIME) ? null : `${GNU_TIME} (GNU time) is not installed: it measures each run's CPU and peak RSS`;
}

/** duct ÷ con-duct for one figure, each repeat a median over alternated whole-process runs. */
function ratioBench(name: string, key: 'wallSeconds' | 'cpuSeconds', what: string, target: string): Benchmark {
  return {
    name,
    description: `${what} of \`duct -q -p D/ true\` / con-duct 0.21's same run (${CONDUCT_BIN}), medians of alternated whole-process runs`,
    unit: 'ratio',
    target,
    higherIsBetter: false,
    async unavailable() {
      if (!existsSync(CONDUCT_BIN)) return `con-duct is not at ${CONDUCT_BIN}: nothing to compare with`;
      return gnuTimeMissing();
    },
    async run(ctx) {
      const ratios: number[] = [];
      let last: Sides | null = null;
      for (let r = 0; r < ctx.repeats; r++) {
        ctx.progress(`repeat ${r + 1}/${ctx.repeats}`);
        last = await measureSides(ctx, ctx.quick ? QUICK_RUNS : RUNS_PER_REPEAT);
        ratios.push(med(last.duct, key) / med(last.conduct!, key));
      }
      return { figure: median(ratios), repeats: ratios, details: sideDetails(last!) };
    },
  };
}

export const startupWall = ratioBench('startup_wall_vs_conduct', 'wallSeconds', 'wall time', '<= 1 (goal 0.8)');
export const startupCpu = ratioBench('startup_cpu_vs_conduct', 'cpuSeconds', 'CPU time (user + system)', 'reported (no target)');

export const startupRss: Benchmark = {
  name: 'startup_peak_rss',
  description: "peak RSS of `duct -q -p D/ true` (con-duct's and `node -e 0`'s in details, measured in the same run)",
  unit: 'MiB',
  target: '<= 50',
  higherIsBetter: false,
  unavailable: gnuTimeMissing,
  async run(ctx) {
    const figures: number[] = [];
    let last: Sides | null = null;
    for (let r = 0; r < ctx.repeats; r++) {
      ctx.progress(`repeat ${r + 1}/${ctx.repeats}`);
      last = await measureSides(ctx, ctx.quick ? QUICK_RUNS : RUNS_PER_REPEAT);
      figures.push(med(last.duct, 'peakRssMiB'));
    }
    return { figure: median(figures), repeats: figures, details: sideDetails(last!) };
  },
};

/** Programs each process other than duct itself executed during one run, from `strace -ff -e trace=execve` (successful calls only). */
function execsOfRun(ctx: BenchContext, argv: string[]): string[] {
  const traces = mkdtempSync(join(ctx.tmp, 'trace-'));
  const r = spawnSync('strace', ['-ff', '-qq', '-s', '4096', '-e', 'trace=execve', '-o', join(traces, 't'), process.execPath, ctx.ductBin, ...argv], {
    cwd: ctx.tmp,
    env: isolatedEnv(ctx.tmp),
    stdio: 'ignore',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`duct under strace exited ${String(r.status)}`);
  const programs: string[] = [];
  for (const file of readdirSync(traces)) {
    for (const line of readFileSync(join(traces, file), 'utf8').split('\n')) {
      const m = /^execve\("([^"]+)".* = 0$/.exec(line);
      if (m && !(m[1] === process.execPath && line.includes(ctx.ductBin))) programs.push(m[1]!);
    }
  }
  rmSync(traces, { recursive: true, force: true });
  return programs;
}

export const spawnedProcesses: Benchmark = {
  name: 'spawned_processes_per_run',
  description: 'processes duct executes in a `duct -q -p D/ true` run besides the command itself (strace -ff -e trace=execve; the watchdog is the one expected)',
  unit: 'processes',
  target: '<= 1',
  higherIsBetter: false,
  async unavailable() {
    const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=execve', '-o', '/dev/null', 'true'], { stdio: 'ignore' });
    if (r.error) return 'strace is not installed (Debian: apt-get install strace)';
    return r.status === 0 ? null : 'strace cannot trace here (ptrace not permitted)';
  },
  async run(ctx) {
    const counts: number[] = [];
    let programs: string[] = [];
    // the first run warms whatever a run may cache; every run is counted
    for (let r = 0; r < Math.max(2, ctx.repeats); r++) {
      programs = execsOfRun(ctx, ['-q', '--clobber', '-p', 'D/', 'true']);
      // `true` itself is the command, not a process duct adds
      counts.push(programs.filter((p) => !p.endsWith('/true')).length);
    }
    return { figure: median(counts), repeats: counts, details: { programs_last_run: programs } };
  },
};

export default [startupWall, startupCpu, startupRss, spawnedProcesses];
