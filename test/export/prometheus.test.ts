/**
 * Prometheus end to end with Debian's real components: duct writes node_exporter's textfile and
 * pushes to a Pushgateway, Prometheus scrapes both, and its HTTP API must return exactly the
 * run's figures (info.json's summary). Where the packages are absent (a developer's machine
 * without scripts/ci/install-deps.sh) it is skipped with that reason; under CI it fails instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pollUntil, runCli, tempDir } from '../helpers/cli.js';
import { summaryValues } from '../../src/run/summary-values.js';
import type { RunInfo } from '../../src/files/info.js';
import { missingBinaries, startPromStack } from './prometheus-stack.js';

const missing = missingBinaries();
if (missing.length > 0 && process.env.CI === 'true') throw new Error(`CI lacks ${missing.join(', ')}: scripts/ci/install-deps.sh installs them`);
const skip = missing.length > 0 ? `not installed: ${missing.join(', ')} (scripts/ci/install-deps.sh installs them)` : false;

test('Prometheus scrapes the textfile and the Pushgateway and returns the exact figures of the run', { skip, timeout: 120_000 }, async () => {
  const t = tempDir('duct-prom-');
  const stack = await startPromStack(t.dir);
  try {
    const runDir = join(t.dir, 'run');
    const labels = `job_name="prom-e2e",host="${hostname()}",slurm_job_id="9001",slurm_array_task_id="7"`;
    const running = runCli(
      ['--prom-textfile', stack.textfileDir, '--pushgateway', stack.pushgatewayUrl, '--pushgateway-reports', '--export-job', 'prom-e2e',
        '-p', `${runDir}/r_`, '--s-i', '0.1', '--r-i', '0.5', '--', 'alloc-mb', '40', '5'],
      { cwd: t.dir, env: { SLURM_JOB_ID: '9001', SLURM_ARRAY_TASK_ID: '7' } },
    );
    // while it runs: a report's textfile and push (--pushgateway-reports), scraped, say it has not finished
    let sawRunning = false;
    await pollUntil(async () => (sawRunning = (await stack.query(`duct_run_finished{${labels}} == 0`)).length === 2), 15_000, 'a running report via both paths');
    const res = await running;
    assert.equal(res.code, 0, res.stderr);
    assert.ok(sawRunning);
    assert.doesNotMatch(res.stderr, /warning/);

    // the textfile: one .prom file, no temp file left, promtool's lint is clean
    const files = readdirSync(stack.textfileDir);
    assert.deepEqual(files, [`duct_prom-e2e_${hostname()}_9001_7.prom`]);
    const text = readFileSync(join(stack.textfileDir, files[0]!), 'utf8');
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(lint.status, 0, lint.stdout + lint.stderr);
    assert.equal(lint.stdout + lint.stderr, '');

    const info = JSON.parse(readFileSync(`${runDir}/r_info.json`, 'utf8')) as RunInfo;
    const v = summaryValues(info);
    const expected: Record<string, number> = {
      duct_memory_peak_bytes: v.mem_peak as number,
      duct_memory_rss_average_bytes: v.average_rss as number,
      duct_cpu_seconds_total: v.cpu_seconds as number,
      duct_cpu_peak_cores: (v.peak_pcpu as number) / 100,
      duct_cpu_average_cores: (v.average_pcpu as number) / 100,
      duct_wall_seconds: info.wall_clock_time!,
      duct_start_time_seconds: Date.parse(info.start_time) / 1000,
      duct_exit_code: 0,
      duct_run_finished: 1,
    };
    assert.ok((v.mem_peak as number) > 40 * 1024 * 1024, 'alloc-mb held 40 MiB');
    // every figure from each path: node_exporter's textfile (job="node") and the Pushgateway (job="duct")
    for (const job of ['node', 'duct']) {
      await pollUntil(async () => (await stack.query(`duct_run_finished{job="${job}",${labels}} == 1`)).length === 1, 15_000, `the final figures via job ${job}`);
      for (const [name, value] of Object.entries(expected)) {
        const got = await stack.query(`${name}{job="${job}",${labels}}`);
        assert.equal(got.length, 1, `${name} via ${job}: ${JSON.stringify(got)}`);
        assert.equal(got[0]!.value, value, `${name} via ${job}`);
      }
    }
    // bounded labels only: no pid, no command line
    const [series] = await stack.query(`duct_memory_peak_bytes{job="duct",${labels}}`);
    assert.deepEqual(Object.keys(series!.metric).sort(), ['__name__', 'host', 'job', 'job_name', 'slurm_array_task_id', 'slurm_job_id']);
    const scrapeError = await stack.query('node_textfile_scrape_error');
    assert.deepEqual(scrapeError.map((e) => e.value), [0], 'node_exporter read the textfile without error');
  } finally {
    await stack.stop();
    t.cleanup();
  }
});
