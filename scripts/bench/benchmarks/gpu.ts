import { median } from 'simple-statistics';
import { readingOf, runDevices } from '../../../src/collectors/nvidia.js';
import { parseAppLine, parseGpuLine } from '../../../src/collectors/nvidia-smi-csv.js';
import { appKey, gpuKey, SnapshotSplitter } from '../../../src/collectors/nvidia-smi-stream.js';
import type { BenchContext, BenchOutcome, Benchmark } from '../types.js';

const GPUS = 8;
const PROCESSES = 64;

/** One loop of each streamed query for an 8-GPU node with 64 compute processes, 16 of them the run's (the CSV duct reads). */
function loopText(): { gpu: string; apps: string; runPids: number[] } {
  const uuid = (i: number) => `GPU-${String(i).padStart(8, '0')}-1b7d-4c2e-9a61-0d3f8e7b6a21`;
  let gpu = 'index, uuid, utilization.gpu [%], utilization.memory [%], memory.used [MiB], memory.total [MiB], name, driver_version\n';
  for (let i = 0; i < GPUS; i++) gpu += `${i}, ${uuid(i)}, ${(i * 11) % 100}, ${(i * 7) % 100}, ${1000 + i * 100}, 81559, NVIDIA H100 80GB HBM3, 550.54.15\n`;
  let apps = 'pid, gpu_uuid, used_memory [MiB]\n';
  for (let p = 0; p < PROCESSES; p++) apps += `${10_000 + p}, ${uuid(p % GPUS)}, ${512 + p}\n`;
  return { gpu, apps, runPids: Array.from({ length: 16 }, (_, i) => 10_000 + i * 4) };
}

/**
 * duct's own CPU per GPU sample: splitting one loop of both nvidia-smi streams into
 * snapshots and reducing the latest to the run's reading (the part in duct's process;
 * nvidia-smi's own cost needs a real GPU and is not measured here).
 */
const gpuSampleCost: Benchmark = {
  name: 'gpu_sample_us',
  description: `duct CPU per GPU sample: parse one loop of both nvidia-smi CSV streams (${GPUS} GPUs, ${PROCESSES} compute processes) and build the run's reading, microseconds`,
  unit: 'us',
  target: '<= 100',
  higherIsBetter: false,
  run(ctx: BenchContext): Promise<BenchOutcome> {
    const { gpu, apps, runPids } = loopText();
    const fields = new Set(['gpu_mem', 'gpu_mem_total', 'gpu_util', 'gpu_mem_used', 'gpu_count']);
    const loops = ctx.quick ? 2_000 : 20_000;
    const repeats: number[] = [];
    for (let r = 0; r < ctx.repeats; r++) {
      const gpus = new SnapshotSplitter(parseGpuLine, GPUS, gpuKey);
      const procs = new SnapshotSplitter(parseAppLine, null, appKey);
      let sink = 0;
      const t0 = process.cpuUsage();
      for (let i = 0; i < loops; i++) {
        gpus.push(gpu);
        procs.push(apps);
        const reading = readingOf(runDevices(gpus.latest() ?? [], procs.latest() ?? [], runPids, {}), fields);
        sink += reading.perPid.size;
      }
      const used = process.cpuUsage(t0);
      if (sink === 0) throw new Error('no reading: the benchmark measured nothing');
      repeats.push((used.user + used.system) / loops);
      ctx.progress(`gpu_sample_us: repeat ${r + 1}: ${repeats.at(-1)!.toFixed(2)} us`);
    }
    return Promise.resolve({ figure: median(repeats), repeats, details: { gpus: GPUS, processes: PROCESSES, loops } });
  },
};

export default gpuSampleCost;
