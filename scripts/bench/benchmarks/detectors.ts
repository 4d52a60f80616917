import { median } from 'simple-statistics';
import { classifyLine } from '../../../src/detectors/classify.js';
import { createLineDetectors } from '../../../src/detectors/index.js';
import type { LineInput } from '../../../src/detectors/types.js';
import type { BenchContext, BenchOutcome, Benchmark } from '../types.js';

const FULL_LINES = 1_000_000;

/** A small deterministic PRNG, so every run times the same input. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Words of ordinary training-job chatter that none of the detectors' anchors occur in.
const WORDS = [
  'INFO', 'WARNING', 'loaded', 'shard', 'samples', 'from', '/scratch/data/imagenet', 'tokens', 'checkpoint', 'saved', 'model',
  'rank', 'world_size=8', 'lr=3.0e-4', 'loss=2.3041', 'grad_norm=1.02', 'batch_size=64', 'seq_len=2048', 'throughput', 'GPU',
  'memory', 'allocated', 'reserved', 'MiB', 'dataset', 'prefetch', 'workers=8', 'pin_memory=True', 'seed=42', 'config',
  'Namespace(arch=resnet50)', 'NCCL', 'INFO', 'Bootstrap', 'comm', 'ring', 'channel', 'socket', 'host', 'port=29500',
];

function ordinaryLine(rand: () => number, i: number): string {
  const n = 6 + Math.floor(rand() * 14);
  let s = `2026-11-22 05:${String(i % 60).padStart(2, '0')}:01,234 [pid ${1000 + (i % 7)}]`;
  for (let k = 0; k < n; k++) s += ` ${WORDS[Math.floor(rand() * WORDS.length)]!}`;
  return s;
}

const MIX_SPECIAL = [
  'step 1200 | loss 2.3041 | lr 3.0e-04 | 51234 tok/s',
  'Epoch 3:  45%|████▌     | 450/1000 [03:09<03:51,  2.38it/s, loss=0.31, v_num=0]',
  "{'eval_loss': 0.31, 'eval_runtime': 12.3, 'epoch': 1.0}",
  "OSError: [Errno 107] Transport endpoint is not connected: '/mnt/s3/train/shard-00042.tar'",
  'RuntimeError: DataLoader worker (pid 12345) is killed by signal: Killed.',
  'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.23 GiB is free.',
  '  File "/opt/conda/lib/python3.11/site-packages/torch/utils/data/dataloader.py", line 1133, in _try_get_data',
  'botocore: An error occurred (SlowDown) when calling the GetObject operation: Please reduce your request rate.',
];

/** A realistic mix: mostly chatter, 10% step or progress lines, 1% errors and traceback lines. */
function mixedLine(rand: () => number, i: number): string {
  const r = rand();
  if (r < 0.05) return MIX_SPECIAL[0]!.replace('1200', String(i));
  if (r < 0.1) return MIX_SPECIAL[1]!;
  if (r < 0.11) return MIX_SPECIAL[2 + Math.floor(rand() * (MIX_SPECIAL.length - 2))]!;
  return ordinaryLine(rand, i);
}

function makeText(lines: number, line: (rand: () => number, i: number) => string): string {
  const rand = prng(7);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(line(rand, i));
  return out.join('\n') + '\n';
}

interface Timing {
  split_lines_per_cpu_s: number;
  classify_lines_per_cpu_s: number;
  detectors_lines_per_cpu_s: number;
  detectors_lines_per_wall_s: number;
  events: number;
}

/** CPU seconds (user + system) of this process while `fn` runs: the rate on one core, whatever else the machine runs. */
function cpuSeconds(fn: () => void): { cpu: number; wall: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6, wall: (performance.now() - t0) / 1000 };
}

/** Times, on this thread: a plain split of the text into lines; classifyLine alone; the full detector set. */
function timeOnce(text: string): Timing {
  let lines: string[] = [];
  const split = cpuSeconds(() => {
    lines = text.split('\n');
    lines.pop();
  });

  let found = 0;
  const classify = cpuSeconds(() => {
    for (let i = 0; i < lines.length; i++) if (classifyLine(lines[i]!) !== null) found++;
  });

  let events = 0;
  const now = Date.now();
  const det = createLineDetectors({ enabled: true, hangThresholdSeconds: 300, stepPattern: null }, () => events++);
  // one reused input object: the run loop's own allocation is not the detectors' cost
  const input: LineInput = { stream: 'stdout', line_number: 0, text: '', truncated: false, time_ms: now };
  const detect = cpuSeconds(() => {
    for (let i = 0; i < lines.length; i++) {
      input.line_number = i + 1;
      input.text = lines[i]!;
      det.line(input);
    }
  });
  det.finish(now);
  if (found < 0) throw new Error('unreachable'); // keeps the classify loop observable
  const n = lines.length;
  return {
    split_lines_per_cpu_s: n / split.cpu,
    classify_lines_per_cpu_s: n / classify.cpu,
    detectors_lines_per_cpu_s: n / detect.cpu,
    detectors_lines_per_wall_s: n / detect.wall,
    events,
  };
}

async function measure(ctx: BenchContext, line: (rand: () => number, i: number) => string): Promise<BenchOutcome> {
  const quick = ctx.quick === true;
  const n = quick ? FULL_LINES / 10 : FULL_LINES;
  const text = makeText(n, line);
  timeOnce(text.slice(0, Math.floor(text.length / 10))); // warm-up: let the JIT settle
  const runs: Timing[] = [];
  for (let r = 0; r < Math.max(1, ctx.repeats); r++) {
    ctx.progress(`detectors: repeat ${r + 1}/${ctx.repeats}`);
    runs.push(timeOnce(text));
    await new Promise((res) => setImmediate(res));
  }
  const figures = runs.map((x) => x.detectors_lines_per_cpu_s);
  const med = (k: keyof Timing): number => median(runs.map((x) => x[k]));
  return {
    figure: median(figures),
    repeats: figures,
    details: {
      lines: n,
      bytes: Buffer.byteLength(text),
      mean_line_chars: Math.round(text.length / n),
      split_lines_per_cpu_s: med('split_lines_per_cpu_s'),
      classify_lines_per_cpu_s: med('classify_lines_per_cpu_s'),
      detectors_lines_per_cpu_s: med('detectors_lines_per_cpu_s'),
      detectors_lines_per_wall_s: med('detectors_lines_per_wall_s'),
      detectors_vs_split_ratio: med('detectors_lines_per_cpu_s') / med('split_lines_per_cpu_s'),
      events_per_run: runs[0]!.events,
    },
  };
}

/** The DESIGN.md target: the detectors over ordinary, non-matching lines. */
export const detectorsNonMatching: Benchmark = {
  name: 'detectors_nonmatching_lines_per_s',
  description: 'lines per CPU-second of the full line detectors (keyword scan, classifier, step/eval matching) over non-matching log lines; details: a plain split of the same text',
  unit: 'lines/cpu-s',
  target: '>= 1000000',
  higherIsBetter: true,
  run: (ctx) => measure(ctx, ordinaryLine),
};

/** The same on a realistic mix: 10% progress lines (their regexes run) and 1% errors. */
export const detectorsMixed: Benchmark = {
  name: 'detectors_mixed_lines_per_s',
  description: 'lines per CPU-second of the full line detectors over a mix: 89% chatter, 10% step/progress lines, 1% error and traceback lines',
  unit: 'lines/cpu-s',
  target: 'reported (no target)',
  higherIsBetter: true,
  run: (ctx) => measure(ctx, mixedLine),
};
