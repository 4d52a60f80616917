/**
 * Debian's prometheus, prometheus-pushgateway and prometheus-node-exporter (textfile collector
 * only), started on free 127.0.0.1 ports in a temp dir, scraping every second; stopped by pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pollUntil } from '../helpers/cli.js';

export const BINARIES = ['prometheus', 'prometheus-pushgateway', 'prometheus-node-exporter', 'promtool'] as const;

/** The binaries not on PATH (scripts/ci/install-deps.sh installs them). */
export function missingBinaries(): string[] {
  return BINARIES.filter((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status !== 0);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface PromStack {
  textfileDir: string;
  pushgatewayUrl: string;
  prometheusUrl: string;
  /** instant query → [{metric, value}] */
  query(q: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  stop(): Promise<void>;
}

async function ok(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

export async function startPromStack(dir: string): Promise<PromStack> {
  const textfileDir = join(dir, 'textfile');
  mkdirSync(textfileDir);
  const [nodePort, pushPort, promPort] = [await freePort(), await freePort(), await freePort()];
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      'scrape_configs:',
      '  - job_name: node',
      `    static_configs: [{ targets: ['127.0.0.1:${nodePort}'] }]`,
      '  - job_name: pushgateway',
      '    honor_labels: true', // keep the pushed job="duct" and the grouping labels
      `    static_configs: [{ targets: ['127.0.0.1:${pushPort}'] }]`,
      '',
    ].join('\n'),
  );
  const children: ChildProcess[] = [];
  const start = (name: string, args: string[]) => {
    const log = openSync(join(dir, `${name}.log`), 'w');
    children.push(spawn(name, args, { stdio: ['ignore', log, log] }));
  };
  start('prometheus-node-exporter', [
    `--web.listen-address=127.0.0.1:${nodePort}`,
    '--collector.disable-defaults',
    '--collector.textfile',
    `--collector.textfile.directory=${textfileDir}`,
  ]);
  start('prometheus-pushgateway', [`--web.listen-address=127.0.0.1:${pushPort}`, '--persistence.file=']);
  start('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`]);
  const stop = async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r)))));
  };
  const prometheusUrl = `http://127.0.0.1:${promPort}`;
  try {
    await pollUntil(() => ok(`http://127.0.0.1:${nodePort}/metrics`), 20_000, 'node_exporter');
    await pollUntil(() => ok(`http://127.0.0.1:${pushPort}/-/ready`), 20_000, 'the Pushgateway');
    await pollUntil(() => ok(`${prometheusUrl}/-/ready`), 30_000, 'Prometheus');
  } catch (err) {
    await stop();
    throw err;
  }
  const stack: PromStack = {
    textfileDir,
    pushgatewayUrl: `http://127.0.0.1:${pushPort}`,
    prometheusUrl,
    async query(q) {
      const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(q)}`, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      if (body.status !== 'success') throw new Error(`query ${q} failed: ${JSON.stringify(body)}`);
      return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    stop,
  };
  // Prometheus applies its targets after a few seconds: ready once both are scraped and up
  try {
    await pollUntil(async () => (await stack.query('up == 1')).length === 2, 30_000, 'both targets scraped');
  } catch (err) {
    await stop();
    throw err;
  }
  return stack;
}
