import { viewerParser } from './yargs-base.js';
import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { DuctError, ExitCode } from '../errors.js';
import { INFO_SUFFIX, readEvents, readRun } from '../files/run-reader.js';
import { plotInputFromRun } from '../view/plot-input.js';
import { buildPlotSpec, selectLines } from '../view/plot-spec.js';
import { ignoreBrokenPipe } from '../view/stdout.js';

const PLOT_EXTENSIONS = ['.png', '.svg', '.html'] as const;

export interface PlotPlan {
  /** the run's info.json. */
  infoPath: string;
  output: string;
  format: 'png' | 'svg' | 'html';
  measurements: string[] | null;
}

/** A run named by its info.json, its usage file, or its prefix. */
export function resolveInfoPath(path: string): string {
  const candidates = [path, path.replace(/usage\.jsonl?$/, INFO_SUFFIX), path.replace(/events\.jsonl$/, INFO_SUFFIX), `${path}${INFO_SUFFIX}`];
  for (const c of candidates) {
    if (c.endsWith(INFO_SUFFIX) && existsSync(c) && statSync(c).isFile()) return c;
  }
  throw new DuctError('E_INPUT', `no run at ${path} (give a run's info.json, its usage.jsonl, or its prefix)`);
}

export function parsePlotArgs(argv: string[]): PlotPlan {
  const args = viewerParser(argv, 'duct plot')
    .command('$0 <path>', 'Chart a run over time: memory and CPU panels, one line per measurement, detector events marked.', (y) =>
      y.positional('path', { type: 'string', demandOption: true, describe: "the run's info.json, usage file or prefix" }),
    )
    .option('output', { alias: 'o', type: 'string', describe: 'file to write; its extension picks the format: .png, .svg or .html (default: <prefix>plot.png)' })
    .option('measurements', { type: 'string', array: true, describe: 'keys to draw, comma-separated (default: every memory and CPU figure of the run)' })
    .example('duct plot .duct/logs/2026.11.20T10.00.00-4242_info.json -o run.html --measurements ps_rss_total,proc_pss_total,cgroup_mem_peak', 'three memory views of one run, side by side')
    .parseSync();
  const infoPath = resolveInfoPath(String(args.path));
  const output = args.output ?? `${infoPath.slice(0, -INFO_SUFFIX.length)}plot.png`;
  const ext = extname(output).toLowerCase();
  if (!(PLOT_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new DuctError('E_OPTION_VALUE', `--output ${output}: unknown extension '${ext || '(none)'}' (valid: ${PLOT_EXTENSIONS.join(', ')})`);
  }
  const measurements = (args.measurements ?? []).flatMap((m) => String(m).split(',')).map((m) => m.trim()).filter(Boolean);
  return { infoPath, output, format: ext.slice(1) as PlotPlan['format'], measurements: measurements.length ? measurements : null };
}

export async function runPlot(plan: PlotPlan): Promise<number> {
  const view = await readRun(plan.infoPath);
  const points = await view.usage();
  const { events, warnings } = await readEvents(view.prefix);
  for (const w of [...view.warnings, ...warnings]) process.stderr.write(`duct: warning: ${w}\n`);
  if (points.length === 0) throw new DuctError('E_INPUT', `${plan.infoPath}: the run has no usage records to plot`);
  const input = plotInputFromRun(view, points, events);
  const lines = selectLines(input, plan.measurements);
  if (lines.size === 0) throw new DuctError('E_INPUT', `${plan.infoPath}: the run has no memory or CPU measurements to plot`);
  const spec = buildPlotSpec(input, lines);
  const { renderPlot } = await import('../view/plot-render.js');
  const bytes = await renderPlot(plan.format, input.title, spec);
  try {
    await writeFile(plan.output, bytes);
  } catch (err) {
    throw new DuctError('E_OUTPUT_UNWRITABLE', `cannot write ${plan.output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  process.stdout.write(`${plan.output}\n`);
  return ExitCode.ok;
}

export function run(argv: string[]): Promise<number> {
  ignoreBrokenPipe();
  return runPlot(parsePlotArgs(argv));
}
