import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPlotSpec, byteTicks, durationTicks, selectLines, type PlotInput } from '../../src/view/plot-spec.js';

const GiB = 1024 ** 3;
const t0 = Date.parse('2026-11-20T10:00:00Z');
const input: PlotInput = {
  title: 'python train.py',
  start_ms: t0,
  points: [
    { time_ms: t0 + 2000, values: { ps_rss_total: 1 * GiB, proc_pss_total: 0.8 * GiB, cgroup_mem_peak: 1.5 * GiB, proc_pdcpu_total: 250, proc_cpu_seconds: 5, proc_io_read_bytes: 10 } },
    { time_ms: t0 + 4000, values: { ps_rss_total: 2 * GiB, proc_pss_total: 1.6 * GiB, cgroup_mem_peak: 2.5 * GiB, proc_pdcpu_total: 390, proc_cpu_seconds: 7, proc_io_read_bytes: 10 } },
  ],
  units: { ps_rss_total: 'bytes', proc_pss_total: 'bytes', cgroup_mem_peak: 'bytes', proc_pdcpu_total: 'percent', proc_cpu_seconds: 'seconds', proc_io_read_bytes: 'bytes' },
  events: [{ time_ms: t0 + 3500, kind: 'cuda_oom', label: 'cuda_oom' }],
};

test('byte ticks sit at round numbers of one binary unit and close above the maximum', () => {
  assert.deepEqual(byteTicks(3 * GiB), { unit: 'GiB', divisor: GiB, values: [0, GiB, 2 * GiB, 3 * GiB] });
  const mib = byteTicks(700 * 1024 ** 2);
  assert.equal(mib.unit, 'MiB');
  assert.deepEqual(mib.values.map((v) => v / 1024 ** 2), [0, 200, 400, 600, 800]);
  assert.equal(byteTicks(500).unit, 'B');
});

test('duration ticks pick seconds, minutes or hours by the run length', () => {
  assert.deepEqual(durationTicks(5.5), { unit: 's', divisor: 1, values: [0, 1, 2, 3, 4, 5, 6] });
  const m = durationTicks(5400);
  assert.equal(m.unit, 'm');
  assert.deepEqual(m.values, [0, 900, 1800, 2700, 3600, 4500, 5400]);
  const h = durationTicks(10 * 3600);
  assert.equal(h.unit, 'h');
  assert.equal(h.values[1], 7200);
});

test('by default every memory and CPU figure is a line; io bytes and seconds are not', () => {
  const lines = selectLines(input, null);
  assert.deepEqual([...lines], [
    ['cgroup_mem_peak', 'memory'],
    ['proc_pdcpu_total', 'cpu'],
    ['proc_pss_total', 'memory'],
    ['ps_rss_total', 'memory'],
  ]);
});

test('--measurements chooses lines and refuses keys the run lacks or cannot plot', () => {
  assert.deepEqual([...selectLines(input, ['ps_rss_total', 'proc_pdcpu_total']).keys()], ['ps_rss_total', 'proc_pdcpu_total']);
  assert.throws(() => selectLines(input, ['proc_uss_total']), { code: 'E_OPTION_VALUE', message: /proc_uss_total is not in this run \(this run can plot: cgroup_mem_peak, proc_pdcpu_total, proc_pss_total, ps_rss_total\)/ });
  assert.throws(() => selectLines(input, ['proc_cpu_seconds']), { message: /proc_cpu_seconds is in seconds, not memory bytes or a CPU or GPU percent/ });
});

test('the spec has a memory and a CPU panel over time since start, and marks each event', () => {
  const spec = buildPlotSpec(input, selectLines(input, null)) as {
    datasets: { usage: { t: number; key: string; value: number; panel: string }[]; events: { t: number; label: string }[] };
    vconcat: { layer: { mark: { type: string } | string; encoding?: { y?: { axis?: { labelExpr?: string } } } }[] }[];
  };
  assert.equal(spec.datasets.usage.length, 8, 'two windows × four lines');
  assert.deepEqual(spec.datasets.usage[0], { t: 2, key: 'cgroup_mem_peak', value: 1.5 * GiB, panel: 'memory' });
  assert.deepEqual(spec.datasets.events, [{ t: 3.5, kind: 'cuda_oom', label: 'cuda_oom' }]);
  assert.equal(spec.vconcat.length, 2);
  const [memory, cpu] = spec.vconcat;
  assert.match(memory!.layer[0]!.encoding!.y!.axis!.labelExpr!, /GiB/);
  assert.match(cpu!.layer[0]!.encoding!.y!.axis!.labelExpr!, /%/);
  for (const panel of spec.vconcat) assert.ok(panel.layer.some((l) => typeof l.mark === 'object' && l.mark.type === 'rule'), 'event rule in each panel');
});

test('GPU keys get their own panels below the host\'s: GPU memory in bytes, GPU busy in percent, never mixed with host memory or CPU', () => {
  const gpu: PlotInput = {
    ...input,
    points: input.points.map((p, i) => ({ ...p, values: { ...p.values, nvidia_gpu_mem_used: (5 + i) * GiB, nvidia_gpu_util: 37 + i, drm_vram_total: GiB, nvidia_gpu_count: 1 } })),
    units: { ...input.units, nvidia_gpu_mem_used: 'bytes', nvidia_gpu_util: 'percent', drm_vram_total: 'bytes', nvidia_gpu_count: 'count' },
  };
  const lines = selectLines(gpu, null);
  assert.equal(lines.get('nvidia_gpu_mem_used'), 'gpu_memory');
  assert.equal(lines.get('drm_vram_total'), 'gpu_memory');
  assert.equal(lines.get('nvidia_gpu_util'), 'gpu');
  assert.equal(lines.get('nvidia_gpu_count'), undefined, 'a count is not drawn');
  const spec = buildPlotSpec(gpu, lines) as { vconcat: Array<{ title: { text: string }; layer: Array<{ encoding?: { y?: { title?: string } } }> }> };
  assert.deepEqual(spec.vconcat.map((p) => p.title.text), ['Memory', 'CPU', 'GPU memory', 'GPU']);
  assert.equal(spec.vconcat[3]!.layer[0]!.encoding!.y!.title, 'GPU busy (100% = one GPU or engine)');
});

test('a run with only CPU lines gets one panel', () => {
  const spec = buildPlotSpec(input, selectLines(input, ['proc_pdcpu_total'])) as { vconcat: unknown[] };
  assert.equal(spec.vconcat.length, 1);
});

test('plot input: x starts at the run start, events labelled by their DataLoader class when they have one', async () => {
  const { plotInputFromRun } = await import('../../src/view/plot-input.js');
  const input = plotInputFromRun(
    { summary: { command: 'python train.py', start_time: '2026-11-20T10:00:00Z' }, units: {}, prefix: 'p_' },
    [{ time_ms: t0 + 2000, values: {} }],
    [
      { time_ms: t0 + 2500, kind: 'dataloader', attributes: { 'dataloader.error_class': 'DataLoader worker killed' } },
      { time_ms: t0 + 3000, kind: 'cuda_oom', attributes: {} },
    ],
  );
  assert.equal(input.start_ms, t0);
  assert.equal(input.title, 'python train.py (2026-11-20T10:00:00Z)');
  assert.deepEqual(input.events.map((e) => e.label), ['DataLoader worker killed', 'cuda_oom']);
});
