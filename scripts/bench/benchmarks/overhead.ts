import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { CATALOGUE, expandPreset } from '../../../src/aggregation/catalogue.js';
import { keyAvailability, machineEnvironment, prepareMeasurements } from '../../../src/aggregation/engine.js';
import type { BenchContext, BenchOutcome, Benchmark } from '../types.js';

/** CPU seconds of this process and of its reaped children (a `ps` per sample is a child) so far. */
function cpuSecondsSoFar(): number {
  const own = process.cpuUsage();
  const stat = readFileSync('/proc/self/stat', 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // cutime + cstime (fields 16 and 17) in clock ticks; 100 per second on Linux
  const children = (Number(f[13]) + Number(f[14])) / 100;
  return (own.user + own.system) / 1e6 + children;
}

/** Start `sleepers.sh N` in a session of its own and wait until its N pids are up. */
async function startSleepers(root: string, n: number): Promise<{ pid: number; stop(): void }> {
  const child = spawn(join(root, 'test', 'fixtures', 'bin', 'sleepers.sh'), [String(n)], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('ready')) resolve();
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`sleepers.sh exited ${String(code)} before it was ready`)));
  });
  return {
    pid: child.pid!,
    stop: () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

/** `proc`: the proc keys of the default preset (stat, status, cmdline); `proc_all`: with PSS/USS (smaps_rollup) and io too. */
type Selection = 'proc' | 'proc_all' | 'ps' | 'cgroup' | 'pidusage' | 'default';

/** The keys of one collector that are available here (the default preset as is). */
function keysOf(sel: Selection): string[] {
  if (sel === 'default') return ['default'];
  const availability = keyAvailability(machineEnvironment());
  if (sel === 'proc') return expandPreset('default', (k) => availability.get(k) === null).filter((k) => k.startsWith('proc_'));
  const collector = sel === 'proc_all' ? 'proc' : sel;
  return CATALOGUE.filter((m) => m.collector === collector && availability.get(m.key) === null).map((m) => m.key);
}

/** duct's own CPU per sample (ms): prepare once, then time back-to-back engine.sample() calls. */
async function cpuPerSample(ctx: BenchContext, sel: Selection, pids: number): Promise<BenchOutcome> {
  const quick = (ctx as BenchContext & { quick?: boolean }).quick === true;
  const samples = quick ? 10 : pids >= 500 ? 30 : 60;
  const sleepers = await startSleepers(ctx.root, pids);
  try {
    const prepared = await prepareMeasurements({ requested: keysOf(sel), sampleInterval: 1, reportInterval: 60, cgroupMode: 'reader', mode: 'new-session' });
    const engine = prepared.start(sleepers.pid);
    const figures: number[] = [];
    let members = 0;
    try {
      for (let i = 0; i < 3; i++) await engine.sample(); // warm-up: caches, JIT
      const rec = await engine.report();
      const n = rec?.measurements['proc_nproc'] ?? rec?.measurements['ps_nproc'];
      if (typeof n === 'number') members = n;
      const repeats = Math.max(1, Math.min(ctx.repeats, quick ? 1 : 5));
      for (let r = 0; r < repeats; r++) {
        const before = cpuSecondsSoFar();
        for (let i = 0; i < samples; i++) await engine.sample();
        figures.push(((cpuSecondsSoFar() - before) / samples) * 1000);
        await engine.report();
      }
    } finally {
      await engine.close();
    }
    return { figure: median(figures), repeats: figures, details: { selected: prepared.describe().selected, samples_per_repeat: samples, live_pids_seen: members || null } };
  } finally {
    sleepers.stop();
  }
}

const TARGETS: Partial<Record<`${Selection}_${number}`, string>> = {
  default_50: '<= 1',
  proc_50: '<= 1',
};

async function linuxOnly(): Promise<string | null> {
  return process.platform === 'linux' ? null : 'needs Linux /proc (CPU of reaped children read from /proc/self/stat)';
}

function overheadBench(sel: Selection, pids: number): Benchmark {
  return {
    name: `overhead_${sel}_${pids}_pids`,
    description: `duct's own CPU (itself + its ps children) per sample with ${pids} live pids, ${
      sel === 'default' ? 'the default preset' : sel === 'proc' ? "the default preset's proc keys" : sel === 'proc_all' ? 'every proc key (PSS/USS and io too)' : `every ${sel} key`
    }`,
    unit: 'ms CPU/sample',
    target: TARGETS[`${sel}_${pids}`] ?? 'reported (no target)',
    higherIsBetter: false,
    unavailable: linuxOnly,
    run: (ctx) => cpuPerSample(ctx, sel, pids),
  };
}

export const overhead: Benchmark[] = (['default', 'proc', 'proc_all', 'ps', 'cgroup', 'pidusage'] as const).flatMap((sel) => [1, 50, 500].map((n) => overheadBench(sel, n)));
