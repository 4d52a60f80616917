import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { decodePng } from './png-decode.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'runs');
const OOM_RUN = 'basic/2026-11-20T11.00.00-5151_';

function withRuns(): { dir: string; cleanup: () => void } {
  const t = tempDir();
  cpSync(join(FIXTURES, 'basic'), join(t.dir, 'basic'), { recursive: true });
  cpSync(join(FIXTURES, 'torn'), join(t.dir, 'torn'), { recursive: true });
  return t;
}

/** How many pixels are close to an RGB colour. */
function countNear(rgba: Uint8Array, [r, g, b]: [number, number, number], tol = 40): number {
  let n = 0;
  for (let i = 0; i < rgba.length; i += 4) if (Math.abs(rgba[i]! - r) + Math.abs(rgba[i + 1]! - g) + Math.abs(rgba[i + 2]! - b) <= tol) n++;
  return n;
}

test('plot -o x.svg draws every memory and CPU series, the event, and human axes', async () => {
  const t = withRuns();
  try {
    const r = await runCli(['plot', `${OOM_RUN}info.json`, '-o', 'x.svg'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'x.svg\n');
    const svg = readFileSync(join(t.dir, 'x.svg'), 'utf8');
    assert.match(svg, /^<svg /);
    for (const key of ['proc_rss_total', 'proc_pdcpu_total']) assert.ok(svg.includes(`>${key}<`), `legend has ${key}`);
    // a reader-mode cgroup never verified to hold the run alone would set the axis for the whole group
    for (const key of ['cgroup_mem_current', 'cgroup_mem_peak']) assert.ok(!svg.includes(`>${key}<`), `legend has no ${key}`);
    assert.ok(svg.includes('>cuda_oom<'), 'the event is labelled');
    assert.ok(svg.includes('>2 GiB<'), 'memory axis in GiB');
    assert.ok(svg.includes('>100%<'), 'CPU axis in percent');
    assert.ok(svg.includes('>5s<'), 'time axis in seconds since start');
    assert.ok(svg.includes('>time since start<'));
    assert.ok(!svg.includes('proc_cpu_seconds'), 'counters are not drawn as lines');
    // asked for by name, the group's line is drawn
    const named = await runCli(['plot', `${OOM_RUN}info.json`, '-o', 'y.svg', '--measurements', 'cgroup_mem_peak,proc_rss_total'], { cwd: t.dir });
    assert.equal(named.code, 0, named.stderr);
    assert.ok(readFileSync(join(t.dir, 'y.svg'), 'utf8').includes('>cgroup_mem_peak<'));
  } finally {
    t.cleanup();
  }
});

test('plot -o x.png writes a PNG of the SVG size at 2x with a drawn chart', async () => {
  const t = withRuns();
  try {
    const svgRun = await runCli(['plot', `${OOM_RUN}info.json`, '-o', 'x.svg'], { cwd: t.dir });
    assert.equal(svgRun.code, 0, svgRun.stderr);
    const svg = readFileSync(join(t.dir, 'x.svg'), 'utf8');
    const svgW = Number(/<svg [^>]*width="([\d.]+)"/.exec(svg)![1]);
    const svgH = Number(/<svg [^>]*height="([\d.]+)"/.exec(svg)![1]);
    const r = await runCli(['plot', `${OOM_RUN}info.json`, '-o', 'x.png'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    const png = decodePng(readFileSync(join(t.dir, 'x.png')));
    assert.equal(png.width, Math.round(svgW * 2));
    assert.equal(png.height, Math.round(svgH * 2));
    assert.ok(png.width > 1200 && png.height > 800, `${png.width}x${png.height}`);
    const pixels = png.width * png.height;
    const white = countNear(png.rgba, [255, 255, 255], 6);
    assert.ok(white / pixels > 0.5 && white / pixels < 0.99, `mostly background, not blank (${white}/${pixels} white)`);
    const colors = new Set<number>();
    for (let i = 0; i < png.rgba.length; i += 4 * 7) colors.add((png.rgba[i]! << 16) | (png.rgba[i + 1]! << 8) | png.rgba[i + 2]!);
    assert.ok(colors.size > 50, `many colours (${colors.size})`);
    assert.ok(countNear(png.rgba, [0x4c, 0x78, 0xa8]) > 500, 'a blue series line');
    assert.ok(countNear(png.rgba, [0xd6, 0x27, 0x28]) > 200, 'the red event rule');
    assert.ok(countNear(png.rgba, [0, 0, 0], 120) > 1000, 'dark text of titles and labels');
  } finally {
    t.cleanup();
  }
});

test('plot -o x.html is self-contained and embeds its data', async () => {
  const t = withRuns();
  try {
    const r = await runCli(['plot', `${OOM_RUN}usage.jsonl`, '-o', 'x.html', '--measurements', 'proc_rss_total,cgroup_mem_peak'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(join(t.dir, 'x.html'), 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.ok(html.includes('<svg '), 'the chart inline');
    assert.equal(/<script[^>]+src=|<link[^>]+href=|url\(http/i.test(html), false, 'loads nothing');
    const json = /<script type="application\/json" id="duct-plot-spec">(.*?)<\/script>/s.exec(html)![1]!;
    const spec = JSON.parse(json) as { datasets: { usage: { key: string; value: number; t: number }[]; events: { t: number }[] } };
    assert.deepEqual([...new Set(spec.datasets.usage.map((u) => u.key))].sort(), ['cgroup_mem_peak', 'proc_rss_total']);
    assert.equal(spec.datasets.usage.length, 6);
    assert.deepEqual(spec.datasets.usage.find((u) => u.key === 'cgroup_mem_peak' && u.t === 4), { t: 4, key: 'cgroup_mem_peak', value: 3221225472, panel: 'memory' });
    assert.deepEqual(spec.datasets.events.map((e) => e.t), [4.8]);
  } finally {
    t.cleanup();
  }
});

test('plot defaults to <prefix>plot.png, reads a torn run, and refuses bad input clearly', async () => {
  const t = withRuns();
  try {
    const torn = await runCli(['plot', 'torn/2026-11-20T13.00.00-7070_'], { cwd: t.dir });
    assert.equal(torn.code, 0, torn.stderr);
    assert.ok(existsSync(join(t.dir, 'torn', '2026-11-20T13.00.00-7070_plot.png')));
    assert.match(torn.stderr, /^duct: warning: 2026-11-20T13\.00\.00-7070_usage\.jsonl: last line 3 is incomplete/m);

    const ext = await runCli(['plot', `${OOM_RUN}info.json`, '-o', 'x.pdf'], { cwd: t.dir });
    assert.equal(ext.code, 2);
    assert.match(ext.stderr, /^duct: --output x\.pdf: unknown extension '\.pdf' \(valid: \.png, \.svg, \.html\)/);
    const key = await runCli(['plot', `${OOM_RUN}info.json`, '-o', 'x.svg', '--measurements', 'ps_rss_total'], { cwd: t.dir });
    assert.equal(key.code, 2);
    assert.match(key.stderr, /ps_rss_total is not in this run \(this run can plot: cgroup_mem_current, cgroup_mem_peak, proc_pdcpu_total, proc_rss_total\)/);
    const missing = await runCli(['plot', 'nothing_info.json'], { cwd: t.dir });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^duct: no run at nothing_info\.json/);
    assert.equal(existsSync(join(t.dir, 'x.pdf')), false);
  } finally {
    t.cleanup();
  }
});

test('plot draws a con-duct 0.2 run, and does not call its pcpu a rate', async () => {
  const t = tempDir();
  try {
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'conduct', 'v0.2.1'), join(t.dir, 'c'), { recursive: true });
    const r = await runCli(['plot', 'c/2024.10.03T09.15.00-51234_info.json', '-o', 'c.svg'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    const svg = readFileSync(join(t.dir, 'c.svg'), 'utf8');
    for (const key of ['conduct_totals_rss', 'conduct_totals_pcpu']) assert.ok(svg.includes(`>${key}<`), key);
    assert.ok(svg.includes('>con-duct %CPU, not a rate<'));
    assert.ok(!svg.includes('100% = one core'));
  } finally {
    t.cleanup();
  }
});

test('plot of a run with no usage records says so and writes nothing', async () => {
  const t = withRuns();
  try {
    const r = await runCli(['plot', 'torn/2026-11-20T14.00.00-8080_info.json', '-o', 'x.svg'], { cwd: t.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /duct: torn\/2026-11-20T14\.00\.00-8080_info\.json: the run has no usage records to plot$/m);
    assert.equal(existsSync(join(t.dir, 'x.svg')), false);
  } finally {
    t.cleanup();
  }
});
