import type { BenchResult } from './result.js';
import { meetsTarget } from './runner.js';
import { formatFigure, renderTable } from './table.js';

function meetsText(figure: number, target: string): string {
  const met = meetsTarget(figure, target);
  return met === null ? '-' : met ? 'yes' : 'NO';
}

/** The per-run table `npm run bench` prints: figure, target and spread of each benchmark, then skips and failures. */
export function resultTable(result: BenchResult): string {
  const rows = Object.entries(result.benchmarks).map(([name, e]) => [
    name,
    formatFigure(e.figure),
    e.unit,
    e.target,
    meetsText(e.figure, e.target),
    String(e.repeats.length),
    `${formatFigure(Math.min(...e.repeats))}..${formatFigure(Math.max(...e.repeats))}`,
  ]);
  let text = renderTable(['benchmark', 'figure', 'unit', 'target', 'meets', 'n', 'range'], rows, new Set([1, 5]));
  for (const [name, why] of Object.entries(result.skipped)) text += `skipped ${name}: ${why}\n`;
  for (const [name, why] of Object.entries(result.failed)) text += `FAILED ${name}: ${why}\n`;
  return text;
}

/** The Markdown table README.md carries: generated from a result file, never typed by hand. */
export function markdownTable(result: BenchResult): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = [
    `Measured ${result.timestamp.slice(0, 10)} on ${esc(result.machine.kind)} (${esc(result.machine.os)}, kernel ${esc(result.machine.kernel)}, Node ${result.machine.node_version}),` +
      ` duct ${result.duct_version} at commit \`${result.git.commit.slice(0, 12)}\`${result.git.dirty ? ' (with uncommitted changes)' : ''},` +
      ` --repeats ${result.options.repeats}${result.options.quick ? ' --quick' : ''} (a benchmark may take fewer; see its repeats).`,
    '',
    '| benchmark | figure | unit | target | meets | repeats | what it measures |',
    '|---|---:|---|---|---|---:|---|',
    ...Object.entries(result.benchmarks).map(
      ([name, e]) =>
        `| \`${name}\` | ${formatFigure(e.figure)} | ${esc(e.unit)} | ${esc(e.target)} | ${meetsText(e.figure, e.target)} | ${e.repeats.length} | ${esc(e.description)} |`,
    ),
  ];
  const skipped = Object.entries(result.skipped);
  const failed = Object.entries(result.failed ?? {});
  if (skipped.length || failed.length) lines.push('');
  for (const [name, why] of skipped) lines.push(`- \`${name}\` not measured here: ${esc(why)}`);
  for (const [name, why] of failed) lines.push(`- \`${name}\` failed: ${esc(why)}`);
  return lines.join('\n') + '\n';
}
