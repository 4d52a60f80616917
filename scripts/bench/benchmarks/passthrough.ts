import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from 'simple-statistics';
import { DUCT_BIN } from '../paths.js';
import type { BenchContext, BenchOutcome, Benchmark } from '../types.js';

const MIB = 1 << 20;
const FULL_MIB = 400;
const QUICK_MIB = 32;
/** The consumer: counts bytes and times its first byte to end of input. */
const COUNT_BYTES = fileURLToPath(new URL('../tools/count-bytes.js', import.meta.url));

interface PipeTiming {
  bytes: number;
  /** from spawning the producer to the consumer's exit. */
  wallSeconds: number;
  /** the consumer's first byte to its end of input: throughput without start-up. */
  streamingSeconds: number;
}

/** Environment for duct that ignores the developer's own .env files. */
function isolatedEnv(tmp: string): NodeJS.ProcessEnv {
  return { ...process.env, XDG_CONFIG_HOME: join(tmp, '.xdg-none'), DUCT_CONFIG_PATHS: '' };
}

function exited(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? -1 : null)));
  });
}

/** Run `command args | count-bytes` with no shell: the producer writes straight into the consumer's stdin pipe. */
export async function timePipe(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, expectBytes: number): Promise<PipeTiming> {
  const consumer = spawn(process.execPath, [COUNT_BYTES], { stdio: ['pipe', 'pipe', 'inherit'] });
  const report: Buffer[] = [];
  consumer.stdout.on('data', (b: Buffer) => report.push(b));
  const consumerDone = exited(consumer);
  const started = performance.now();
  const producer = spawn(command, args, { cwd, env, stdio: ['ignore', consumer.stdin, 'pipe'] });
  // our copy of the pipe's write end must close, or the consumer never sees end of input
  consumer.stdin.destroy();
  const errors: Buffer[] = [];
  producer.stderr.on('data', (b: Buffer) => errors.push(b));
  const [producerCode, consumerCode] = await Promise.all([exited(producer), consumerDone]);
  const wallSeconds = (performance.now() - started) / 1000;
  if (producerCode !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${String(producerCode)}: ${Buffer.concat(errors).toString('utf8').trim().split('\n')[0] ?? ''}`);
  }
  if (consumerCode !== 0) throw new Error(`the byte counter exited ${String(consumerCode)}`);
  const counted = JSON.parse(Buffer.concat(report).toString('utf8')) as { bytes: number; streaming_seconds: number };
  if (counted.bytes !== expectBytes) throw new Error(`${command} delivered ${counted.bytes} bytes, expected ${expectBytes}`);
  return { bytes: counted.bytes, wallSeconds, streamingSeconds: counted.streaming_seconds };
}

/**
 * `command args | tee FILE | count-bytes`, no shell: the reference duct's capture is held to
 * (tee writes every byte to a file and to the pipe, as duct does with capture on).
 */
export async function timeTee(command: string, args: string[], file: string, cwd: string, env: NodeJS.ProcessEnv, expectBytes: number): Promise<PipeTiming> {
  const consumer = spawn(process.execPath, [COUNT_BYTES], { stdio: ['pipe', 'pipe', 'inherit'] });
  const report: Buffer[] = [];
  consumer.stdout.on('data', (b: Buffer) => report.push(b));
  const consumerDone = exited(consumer);
  const started = performance.now();
  const tee = spawn('tee', [file], { cwd, stdio: ['pipe', consumer.stdin, 'inherit'] });
  consumer.stdin.destroy();
  const producer = spawn(command, args, { cwd, env, stdio: ['ignore', tee.stdin, 'inherit'] });
  tee.stdin.destroy();
  const [producerCode, teeCode, consumerCode] = await Promise.all([exited(producer), exited(tee), consumerDone]);
  const wallSeconds = (performance.now() - started) / 1000;
  if (producerCode !== 0 || teeCode !== 0 || consumerCode !== 0) throw new Error(`producer | tee | count-bytes exited ${String(producerCode)}, ${String(teeCode)}, ${String(consumerCode)}`);
  const counted = JSON.parse(Buffer.concat(report).toString('utf8')) as { bytes: number; streaming_seconds: number };
  if (counted.bytes !== expectBytes) throw new Error(`tee delivered ${counted.bytes} bytes, expected ${expectBytes}`);
  return { bytes: counted.bytes, wallSeconds, streamingSeconds: counted.streaming_seconds };
}

/**
 * A bare Node.js relay (spawn the producer, pipe its stdout to ours): not gated on, but it tells
 * duct's own cost apart from what any Node.js process in the middle costs.
 */
function nodeRelay(cmd: string, args: string[]): string[] {
  const script = `const c = require('node:child_process').spawn(${JSON.stringify(cmd)}, ${JSON.stringify(args)}, { stdio: ['ignore', 'pipe', 'inherit'] }); c.stdout.pipe(process.stdout);`;
  return ['-e', script];
}

function producer(bytes: number): [string, string[]] {
  return ['head', ['-c', String(bytes), '/dev/zero']];
}

/** stdout throughput through `duct -c none -o stdout -- head -c N /dev/zero` against the same producer piped directly. */
export const passthrough: Benchmark = {
  name: 'passthrough_ratio',
  description: 'stdout throughput through duct (no capture) / the same producer piped directly, first to last byte at the consumer',
  unit: 'ratio',
  target: '>= 0.9',
  higherIsBetter: true,

  async unavailable(): Promise<string | null> {
    if (spawnSync('head', ['-c', '1', '/dev/zero']).status !== 0) return '`head -c` (the producer) is not available';
    if (!existsSync(DUCT_BIN)) return `${DUCT_BIN} is not built (npm run build)`;
    // duct writes its log files where it runs: probe in a scratch directory, removed afterwards
    const scratch = mkdtempSync(join(tmpdir(), 'duct-bench-probe-'));
    const probe = spawnSync(process.execPath, [DUCT_BIN, '-c', 'none', '-o', 'stdout', '--', ...producer(5).flat()], {
      encoding: 'buffer',
      timeout: 30_000,
      env: isolatedEnv(scratch),
      cwd: scratch,
    });
    rmSync(scratch, { recursive: true, force: true });
    if (probe.status !== 0 || probe.stdout.length !== 5) {
      const why = probe.stderr.toString('utf8').trim().split('\n')[0] || `exit ${String(probe.status)}, ${probe.stdout.length} bytes out`;
      return `duct does not pass a command's stdout through yet (${why})`;
    }
    return null;
  },

  async run(ctx: BenchContext): Promise<BenchOutcome> {
    const bytes = (ctx.quick ? QUICK_MIB : FULL_MIB) * MIB;
    const [cmd, args] = producer(bytes);
    const env = isolatedEnv(ctx.tmp);
    const ratios: number[] = [];
    const wallRatios: number[] = [];
    const direct: PipeTiming[] = [];
    const viaDuct: PipeTiming[] = [];
    const viaNode: PipeTiming[] = [];
    for (let i = 0; i < ctx.repeats; i++) {
      ctx.progress(`repeat ${i + 1}/${ctx.repeats}`);
      // alternate the two sides in each repeat, so drift in machine load hits both alike
      const d = await timePipe(cmd, args, ctx.tmp, env, bytes);
      const t = await timePipe(process.execPath, [ctx.ductBin, '-c', 'none', '-o', 'stdout', '--', cmd, ...args], ctx.tmp, env, bytes);
      viaNode.push(await timePipe(process.execPath, nodeRelay(cmd, args), ctx.tmp, env, bytes));
      direct.push(d);
      viaDuct.push(t);
      ratios.push(d.streamingSeconds / t.streamingSeconds);
      wallRatios.push(d.wallSeconds / t.wallSeconds);
    }
    const mbps = (t: PipeTiming): number => t.bytes / MIB / t.streamingSeconds;
    return {
      figure: median(ratios),
      repeats: ratios,
      details: {
        bytes,
        producer: [cmd, ...args].join(' '),
        direct_mib_per_s: direct.map(mbps),
        duct_mib_per_s: viaDuct.map(mbps),
        direct_streaming_seconds: direct.map((t) => t.streamingSeconds),
        duct_streaming_seconds: viaDuct.map((t) => t.streamingSeconds),
        direct_wall_seconds: direct.map((t) => t.wallSeconds),
        duct_wall_seconds: viaDuct.map((t) => t.wallSeconds),
        wall_ratio_median: median(wallRatios),
        node_relay_mib_per_s: viaNode.map(mbps),
        node_relay_ratio_median: median(direct.map((d, i) => d.streamingSeconds / viaNode[i]!.streamingSeconds)),
      },
    };
  },
};

const LOG_PRODUCER = fileURLToPath(new URL('../tools/log-producer.js', import.meta.url));
const FULL_LINES = 2_000_000;
const QUICK_LINES = 200_000;

/** Bytes log-producer writes for `lines` lines (it is deterministic). */
function logBytes(lines: number): number {
  const r = spawnSync(process.execPath, [LOG_PRODUCER, String(lines)], { maxBuffer: 1 << 30 });
  return r.stdout.length;
}

/**
 * The same ratio for what duct meets in use: a training-log-shaped producer (about 100-byte lines in
 * 8 KiB writes), through duct with its defaults (both streams captured, detectors on).
 */
export const passthroughLog: Benchmark = {
  name: 'passthrough_log_ratio',
  description: 'training-log lines through duct with defaults (capture and detectors on) / the same producer piped directly',
  unit: 'ratio',
  target: '>= 0.9',
  higherIsBetter: true,
  unavailable: () => passthrough.unavailable!(),

  async run(ctx: BenchContext): Promise<BenchOutcome> {
    const lines = ctx.quick ? QUICK_LINES : FULL_LINES;
    const bytes = logBytes(lines);
    const env = isolatedEnv(ctx.tmp);
    const ratios: number[] = [];
    const direct: PipeTiming[] = [];
    const viaDuct: PipeTiming[] = [];
    for (let i = 0; i < ctx.repeats; i++) {
      ctx.progress(`repeat ${i + 1}/${ctx.repeats}`);
      const d = await timePipe(process.execPath, [LOG_PRODUCER, String(lines)], ctx.tmp, env, bytes);
      const t = await timePipe(process.execPath, [ctx.ductBin, '-q', '--clobber', '-p', 'log_', '--', process.execPath, LOG_PRODUCER, String(lines)], ctx.tmp, env, bytes);
      direct.push(d);
      viaDuct.push(t);
      ratios.push(d.streamingSeconds / t.streamingSeconds);
    }
    const mbps = (t: PipeTiming): number => t.bytes / MIB / t.streamingSeconds;
    return {
      figure: median(ratios),
      repeats: ratios,
      details: { lines, bytes, direct_mib_per_s: direct.map(mbps), duct_mib_per_s: viaDuct.map(mbps), direct_wall_seconds: direct.map((t) => t.wallSeconds), duct_wall_seconds: viaDuct.map((t) => t.wallSeconds) },
    };
  },
};

/**
 * duct with its defaults (stdout and stderr captured, detectors on) against `tee` writing the
 * same bytes to a file and the same pipe: tee's streaming time ÷ duct's, per repeat.
 */
function teeBench(name: string, description: string, input: (quick: boolean) => { cmd: string; args: string[]; bytes: number }): Benchmark {
  return {
    name,
    description,
    unit: 'ratio',
    target: '>= 0.9',
    higherIsBetter: true,
    async unavailable() {
      if (spawnSync('tee', ['--version'], { stdio: 'ignore' }).error) return '`tee` (the reference) is not available';
      return passthrough.unavailable!();
    },
    async run(ctx: BenchContext): Promise<BenchOutcome> {
      const { cmd, args, bytes } = input(ctx.quick === true);
      const env = isolatedEnv(ctx.tmp);
      const ratios: number[] = [];
      const viaTee: PipeTiming[] = [];
      const viaDuct: PipeTiming[] = [];
      for (let i = 0; i < ctx.repeats; i++) {
        ctx.progress(`repeat ${i + 1}/${ctx.repeats}`);
        const t = await timeTee(cmd, args, join(ctx.tmp, 'tee_stdout'), ctx.tmp, env, bytes);
        const d = await timePipe(process.execPath, [ctx.ductBin, '-q', '--clobber', '-p', 'tee_', '--', cmd, ...args], ctx.tmp, env, bytes);
        viaTee.push(t);
        viaDuct.push(d);
        ratios.push(t.streamingSeconds / d.streamingSeconds);
      }
      const mbps = (t: PipeTiming): number => t.bytes / MIB / t.streamingSeconds;
      return {
        figure: median(ratios),
        repeats: ratios,
        details: { bytes, producer: [cmd, ...args].join(' '), tee_mib_per_s: viaTee.map(mbps), duct_mib_per_s: viaDuct.map(mbps), tee_wall_seconds: viaTee.map((t) => t.wallSeconds), duct_wall_seconds: viaDuct.map((t) => t.wallSeconds) },
      };
    },
  };
}

export const passthroughTee = teeBench(
  'passthrough_tee_ratio',
  '`head -c 400M /dev/zero` through duct with defaults (capture and detectors on) against `| tee FILE |`: tee\'s streaming time / duct\'s',
  (quick) => {
    const bytes = (quick ? QUICK_MIB : FULL_MIB) * MIB;
    const [cmd, args] = producer(bytes);
    return { cmd, args, bytes };
  },
);

export const passthroughLogTee = teeBench(
  'passthrough_log_tee_ratio',
  'a 2 M-line training log through duct with defaults (capture and detectors on) against `| tee FILE |`: tee\'s streaming time / duct\'s',
  (quick) => {
    const lines = quick ? QUICK_LINES : FULL_LINES;
    return { cmd: process.execPath, args: [LOG_PRODUCER, String(lines)], bytes: logBytes(lines) };
  },
);

export default [passthrough, passthroughLog, passthroughTee, passthroughLogTee];
