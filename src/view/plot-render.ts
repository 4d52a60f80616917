/** Rendering of a vega-lite spec; vega, vega-lite and resvg are imported here only, on demand. */

export const PLOT_FORMATS = ['png', 'svg', 'html'] as const;
export type PlotFormat = (typeof PLOT_FORMATS)[number];

/** vega-lite → vega → SVG, headless (no browser, no canvas: vega's 'none' renderer with its SVG string output). */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** SVG → PNG with resvg, at 2× for legible text, on white. */
export async function svgToPng(svg: string): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  const r = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return r.render().asPng();
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A self-contained page: the chart inline as SVG and its spec with data as JSON, loading nothing from the network. */
export function htmlPage(title: string, svg: string, spec: Record<string, unknown>): string {
  // '<' escaped so no string in the data can close the script element
  const data = JSON.stringify(spec).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;margin:1.5em;background:#fff}figure{margin:0}</style>
</head>
<body>
<figure>
${svg}
</figure>
<script type="application/json" id="duct-plot-spec">${data}</script>
</body>
</html>
`;
}

/** Render in the format named by the output's extension. */
export async function renderPlot(format: PlotFormat, title: string, spec: Record<string, unknown>): Promise<Buffer> {
  const svg = await renderSvg(spec);
  if (format === 'svg') return Buffer.from(svg, 'utf8');
  if (format === 'html') return Buffer.from(htmlPage(title, svg, spec), 'utf8');
  return svgToPng(svg);
}
