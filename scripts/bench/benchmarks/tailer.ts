import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import type { BenchContext, BenchOutcome, Benchmark } from '../types.js';

/** Size of the generated log: 1 GB, 50 MB for --quick, or DUCT_BENCH_TAILER_MB. */
function targetBytes(quick: boolean): number {
  const mb = Number(process.env.DUCT_BENCH_TAILER_MB ?? (quick ? '50' : '1024'));
  return Math.max(1, Number.isFinite(mb) ? mb : 1024) * 1e6;
}

/** Lines a training container writes: mostly progress and info, now and then a partial (P) pair, rarely a failure. */
const bodies = [
  'INFO trainer: epoch 3 batch 1200/5000 loss=0.4312 lr=3.0e-4 throughput=812.4 samples/s',
  'INFO data: prefetched shard s3://bucket/train/shard-00421.tar (128.0 MiB) in 0.84 s',
  'WARNING torch.distributed: rank 3 barrier took 1.21 s',
  'DEBUG checkpoint: wrote /ckpt/model-000120.pt (1.9 GiB) in 12.3 s',
  '{"level":"info","msg":"request served","path":"/v1/infer","status":200,"latency_ms":18.2}',
];

/** Write a CRI log of about `bytes` into a kubelet-layout directory; returns its path and line count. */
function generate(dir: string, bytes: number): { path: string; lines: number; bytes: number } {
  const c = join(dir, 'bench_trainer-0_00000000-0000-4000-8000-000000000000', 'trainer');
  mkdirSync(c, { recursive: true });
  const path = join(c, '0.log');
  const fd = openSync(path, 'w');
  let written = 0;
  let lines = 0;
  let ns = BigInt(Date.UTC(2024, 4, 1)) * 1_000_000n;
  try {
    while (written < bytes) {
      const block: string[] = [];
      for (let i = 0; i < 50_000; i++, lines++) {
        ns += 737_019n;
        const ms = Number(ns / 1_000_000n);
        const time = `${new Date(ms).toISOString().slice(0, 19)}.${String(ns % 1_000_000_000n).padStart(9, '0')}Z`;
        const stream = lines % 5 === 4 ? 'stderr' : 'stdout';
        const body = bodies[lines % bodies.length]!;
        if (lines % 1000 === 500) {
          block.push(`${time} ${stream} P ${body.slice(0, 40)}\n${time} ${stream} F ${body.slice(40)}\n`);
        } else {
          block.push(`${time} ${stream} F ${body} #${lines}\n`);
        }
      }
      const buf = Buffer.from(block.join(''));
      writeSync(fd, buf);
      written += buf.length;
    }
  } finally {
    closeSync(fd);
  }
  return { path, lines, bytes: written };
}

const GNU_TIME = '/usr/bin/time';

interface Timing {
  wallSeconds: number;
  /** user + system CPU seconds of the command, from GNU time; null where it is not installed. */
  cpuSeconds: number | null;
}

/** Run a command with stdout to /dev/null; wall time, and CPU time where GNU time can report it (robust on a busy machine). */
function timed(cmd: string, args: string[]): Promise<Timing> {
  const gnuTime = existsSync(GNU_TIME);
  return new Promise((resolve, reject) => {
    const devnull = openSync('/dev/null', 'w');
    const start = process.hrtime.bigint();
    const child = gnuTime ? spawn(GNU_TIME, ['-f', 'cpu %U %S', cmd, ...args], { stdio: ['ignore', devnull, 'pipe'] }) : spawn(cmd, args, { stdio: ['ignore', devnull, 'pipe'] });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      closeSync(devnull);
      const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`));
      const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(err);
      resolve({ wallSeconds, cpuSeconds: m ? Number(m[1]) + Number(m[2]) : null });
    });
  });
}

const benchmark: Benchmark = {
  name: 'tailer_throughput',
  description: 'MB/s of `duct detect` (container log tailer + detectors) over a generated CRI log, with `cat` of the same file as the physical limit',
  unit: 'MB/s',
  target: 'report (no DESIGN.md gate; compare with cat_mb_per_s)',
  higherIsBetter: true,
  async run(ctx: BenchContext): Promise<BenchOutcome> {
    const bytes = targetBytes(ctx.quick === true);
    ctx.progress(`generating a ${Math.round(bytes / 1e6)} MB CRI log`);
    const log = generate(ctx.tmp, bytes);
    const mb = log.bytes / 1e6;
    const cat: Timing[] = [];
    const duct: Timing[] = [];
    const repeats = Math.max(1, ctx.repeats);
    for (let i = 0; i < repeats; i++) {
      ctx.progress(`repeat ${i + 1}/${repeats}: cat`);
      cat.push(await timed('cat', [log.path])); // also leaves the file in the page cache
      ctx.progress(`repeat ${i + 1}/${repeats}: duct detect`);
      duct.push(await timed(process.execPath, [ctx.ductBin, 'detect', '--format', 'cri', log.path]));
    }
    ctx.progress('duct detect --emit records');
    const records = await timed(process.execPath, [ctx.ductBin, 'detect', '--emit', 'records', log.path]);
    const rates = duct.map((t) => mb / t.wallSeconds);
    const wall = median(duct.map((t) => t.wallSeconds));
    const cpu = duct.every((t) => t.cpuSeconds !== null) ? median(duct.map((t) => t.cpuSeconds!)) : null;
    const catWall = median(cat.map((t) => t.wallSeconds));
    return {
      figure: median(rates),
      repeats: rates,
      details: {
        file_bytes: log.bytes,
        lines: log.lines,
        duct_wall_seconds: duct.map((t) => t.wallSeconds),
        duct_cpu_seconds: duct.map((t) => t.cpuSeconds),
        duct_lines_per_s: log.lines / wall,
        duct_mb_per_cpu_s: cpu === null ? null : mb / cpu,
        duct_lines_per_cpu_s: cpu === null ? null : log.lines / cpu,
        cat_wall_seconds: cat.map((t) => t.wallSeconds),
        cat_mb_per_s: mb / catWall,
        ratio_to_cat: catWall / wall,
        records_mode_wall_seconds: records.wallSeconds,
        records_mode_mb_per_s: mb / records.wallSeconds,
        records_mode_lines_per_s: log.lines / records.wallSeconds,
        records_mode_mb_per_cpu_s: records.cpuSeconds === null ? null : mb / records.cpuSeconds,
      },
    };
  },
};

export default benchmark;
