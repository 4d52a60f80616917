import type { Unit } from '../aggregation/types.js';
import type { UsagePoint } from '../files/run-view.js';
import { DuctError } from '../errors.js';

/** A detector event as the chart marks it. */
export interface PlotEvent {
  time_ms: number;
  kind: string;
  /** a short label (the error class, or the kind). */
  label: string;
}

export interface PlotInput {
  title: string;
  /** the run's start (ms since the epoch): x is time since this. */
  start_ms: number;
  points: readonly UsagePoint[];
  units: Readonly<Record<string, Unit>>;
  events: readonly PlotEvent[];
  /** keys whose readings are not the run's own (a shared cgroup's): drawn only when asked for by name. */
  notTheRuns?: readonly string[];
}

export type Panel = 'memory' | 'cpu' | 'gpu_memory' | 'gpu';

/** Panels top to bottom, each with its title and y axis (bytes or percent). */
const PANELS: Record<Panel, { title: string; axis: 'bytes' | 'percent'; percentTitle?: string }> = {
  memory: { title: 'Memory', axis: 'bytes' },
  cpu: { title: 'CPU', axis: 'percent', percentTitle: 'CPU (100% = one core)' },
  gpu_memory: { title: 'GPU memory', axis: 'bytes' },
  gpu: { title: 'GPU', axis: 'percent', percentTitle: 'GPU busy (100% = one GPU or engine)' },
};
const PANEL_ORDER: readonly Panel[] = ['memory', 'cpu', 'gpu_memory', 'gpu'];

/** Which panel a key's line goes to, by its unit: host or GPU memory bytes, a CPU or GPU rate in percent. */
export function panelOf(key: string, unit: Unit | undefined): Panel | null {
  const gpu = key.startsWith('nvidia_') || key.startsWith('drm_');
  if (unit === 'bytes' && !key.includes('_io_')) return gpu ? 'gpu_memory' : 'memory';
  if (unit === 'percent' && gpu) return 'gpu';
  if (unit === 'percent' && /cpu/.test(key)) return 'cpu';
  return null;
}

/**
 * The lines to draw: the requested keys (each must be in the run and plottable), or by
 * default every memory and CPU figure the run's usage has, side by side.
 */
export function selectLines(input: PlotInput, requested: readonly string[] | null): Map<string, Panel> {
  const present = new Set<string>();
  for (const p of input.points) for (const k of Object.keys(p.values)) present.add(k);
  const plottable = [...present].filter((k) => panelOf(k, input.units[k]) !== null).sort();
  const lines = new Map<string, Panel>();
  if (requested === null) {
    for (const k of plottable) if (!input.notTheRuns?.includes(k)) lines.set(k, panelOf(k, input.units[k])!);
    return lines;
  }
  for (const k of requested) {
    const panel = panelOf(k, input.units[k]);
    if (!present.has(k) || panel === null) {
      const why = present.has(k) ? `is in ${input.units[k] ?? 'no known unit'}, not memory bytes or a CPU or GPU percent` : 'is not in this run';
      throw new DuctError('E_OPTION_VALUE', `--measurements: ${k} ${why} (this run can plot: ${plottable.join(', ') || 'nothing'})`);
    }
    lines.set(k, panel);
  }
  return lines;
}

const BINARY_UNITS: readonly [string, number][] = [
  ['TiB', 1024 ** 4],
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
  ['B', 1],
];
const NICE_STEPS = [1, 2, 2.5, 5];

/** Tick values at round numbers of the largest fitting binary unit, so labels read "1.5 GiB", not "1.61e9". */
export function byteTicks(maxBytes: number): { unit: string; divisor: number; values: number[] } {
  const [unit, divisor] = BINARY_UNITS.find(([, d]) => maxBytes >= d) ?? ['B', 1];
  const step = niceStep(maxBytes / divisor / 5) * divisor;
  return { unit, divisor, values: ticksTo(maxBytes, step) };
}

const DURATION_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** Tick values for time since start at round durations, and the unit to label them in. */
export function durationTicks(maxSeconds: number): { unit: string; divisor: number; values: number[] } {
  const target = maxSeconds / 6;
  const step = DURATION_STEPS.find((s) => s >= target) ?? Math.ceil(target / 86400) * 86400;
  const [unit, divisor] = maxSeconds >= 2 * 3600 && step >= 3600 ? ['h', 3600] : maxSeconds >= 120 && step >= 60 ? ['m', 60] : ['s', 1];
  return { unit, divisor, values: ticksTo(maxSeconds, step) };
}

function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return (NICE_STEPS.find((s) => s * mag >= raw) ?? 10) * mag;
}

/** 0, step, 2·step, ... up to the first tick at or above max, so the last tick closes the axis. */
function ticksTo(max: number, step: number): number[] {
  const values: number[] = [0];
  while (values[values.length - 1]! < max * 0.9999 && values.length < 60) values.push(Number((values.length * step).toPrecision(12)));
  if (values.length < 2) values.push(step);
  return values;
}

/** The rows the chart draws: one per (window, key), x in seconds since start. */
export interface UsageRow {
  t: number;
  key: string;
  value: number;
  panel: Panel;
}

export function usageRows(input: PlotInput, lines: ReadonlyMap<string, Panel>): UsageRow[] {
  const rows: UsageRow[] = [];
  for (const p of input.points) {
    const t = (p.time_ms - input.start_ms) / 1000;
    for (const [key, panel] of lines) {
      const v = p.values[key];
      if (typeof v === 'number' && Number.isFinite(v)) rows.push({ t, key, value: v, panel });
    }
  }
  return rows;
}

const FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

/**
 * A vega-lite spec of the run: a memory panel (bytes, binary-unit axis) over a CPU
 * panel (percent, 100 = one core), then, where the run measured GPUs, a GPU memory
 * panel (bytes) and a GPU busy panel (percent), a shared x axis of time since start, one line per
 * measurement, and a dashed rule with a label at each detector event.
 */
export function buildPlotSpec(input: PlotInput, lines: ReadonlyMap<string, Panel>): Record<string, unknown> {
  const rows = usageRows(input, lines);
  const events = input.events.map((e) => ({ t: (e.time_ms - input.start_ms) / 1000, kind: e.kind, label: e.label }));
  const maxT = Math.max(1, ...rows.map((r) => r.t), ...events.map((e) => e.t));
  const x = durationTicks(maxT);
  const xEncoding = {
    field: 't',
    type: 'quantitative',
    title: 'time since start',
    // the axis ends at the last point: rounding it up to a tick can waste a third of the width
    scale: { domain: [0, maxT], nice: false },
    axis: { values: x.values.filter((v) => v <= maxT * 1.0001), labelExpr: `format(datum.value / ${x.divisor}, '~g') + '${x.unit}'` },
  };
  const panels: Panel[] = PANEL_ORDER.filter((p) => [...lines.values()].includes(p));
  const conductOnly = (panel: Panel): boolean => [...lines].filter(([, p]) => p === panel).every(([k]) => k.startsWith('conduct_'));
  const panelSpec = (panel: Panel): Record<string, unknown> => {
    const maxV = Math.max(0, ...rows.filter((r) => r.panel === panel).map((r) => r.value));
    const yAxis =
      PANELS[panel].axis === 'bytes'
        ? (() => {
            const t = byteTicks(Math.max(maxV, 1));
            return {
              title: panel === 'memory' ? 'memory' : 'GPU memory',
              scale: { domain: [0, t.values[t.values.length - 1]!] },
              axis: { values: t.values, labelExpr: `datum.value == 0 ? '0' : format(datum.value / ${t.divisor}, '~g') + ' ${t.unit}'` },
            };
          })()
        : {
            // con-duct's pcpu is ps's lifetime %CPU summed over processes: the axis must not call it a rate
            title: conductOnly(panel) ? 'con-duct %CPU, not a rate' : PANELS[panel].percentTitle,
            scale: { domainMin: 0 },
            axis: { labelExpr: "format(datum.value, '~g') + '%'" },
          };
    const layers: Record<string, unknown>[] = [
      {
        transform: [{ filter: `datum.panel === '${panel}'` }],
        mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.8 },
        encoding: {
          x: xEncoding,
          y: { field: 'value', type: 'quantitative', ...yAxis },
          color: { field: 'key', type: 'nominal', title: panel === 'memory' ? 'memory' : panel === 'cpu' ? 'CPU' : PANELS[panel].title },
          tooltip: [
            { field: 'key', type: 'nominal' },
            { field: 't', type: 'quantitative', title: 'seconds' },
            { field: 'value', type: 'quantitative' },
          ],
        },
      },
    ];
    if (events.length > 0) {
      layers.push(
        {
          data: { name: 'events' },
          mark: { type: 'rule', color: '#d62728', strokeDash: [5, 3], strokeWidth: 1.5 },
          encoding: { x: { field: 't', type: 'quantitative' }, tooltip: [{ field: 'label', type: 'nominal' }] },
        },
        {
          data: { name: 'events' },
          mark: { type: 'text', color: '#d62728', align: 'left', baseline: 'top', dx: 3, dy: 2, fontSize: 10 },
          encoding: { x: { field: 't', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
        },
      );
    }
    return { width: 720, height: 220, title: { text: PANELS[panel].title, anchor: 'start', fontSize: 12 }, layer: layers };
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: input.title, anchor: 'start', limit: 880 },
    background: 'white',
    padding: 12,
    config: { font: FONT, view: { stroke: '#ddd' }, legend: { labelLimit: 0 } },
    datasets: { usage: rows, events },
    data: { name: 'usage' },
    vconcat: panels.map(panelSpec),
    resolve: { scale: { color: 'independent', x: 'shared' }, legend: { color: 'independent' } },
  };
}
