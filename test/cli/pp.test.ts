import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const RUN = join(REPO_ROOT, 'test', 'fixtures', 'runs', 'basic', '2026-11-20T10.00.00-4242_');
const TORN = join(REPO_ROOT, 'test', 'fixtures', 'runs', 'torn', '2026-11-20T13.00.00-7070_');

test('pp info.json humanizes bytes, durations and percents; --raw keeps the numbers', async () => {
  const t = tempDir();
  try {
    const r = await runCli(['pp', `${RUN}info.json`], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    const doc = parseYaml(r.stdout) as { wall_clock_time: string; execution_summary: Record<string, Record<string, unknown>>; cgroup: { memory_limit_bytes: string } };
    assert.equal(doc.wall_clock_time, '8.25s');
    assert.deepEqual(doc.execution_summary.cgroup_mem_peak, { unit: 'bytes', peak: '1.75 GiB' });
    assert.deepEqual(doc.execution_summary.proc_pdcpu_total, { unit: 'percent', peak: '390.50%', mean: '301.25%' });
    assert.deepEqual(doc.execution_summary.proc_cpu_seconds, { unit: 'seconds', total: '18.75s' });
    assert.equal(doc.cgroup.memory_limit_bytes, '8.00 GiB');
    const raw = await runCli(['pp', '--raw', `${RUN}info.json`], { cwd: t.dir });
    const rawDoc = parseYaml(raw.stdout) as { execution_summary: Record<string, Record<string, unknown>> };
    assert.equal(rawDoc.execution_summary.cgroup_mem_peak!.peak, 1879048192);
  } finally {
    t.cleanup();
  }
});

test('pp usage.jsonl prints one document per record with units from the run', async () => {
  const t = tempDir();
  try {
    const r = await runCli(['pp', `${RUN}usage.jsonl`], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as { measurements: Record<string, unknown> });
    assert.equal(docs.length, 4);
    assert.equal(docs[0]!.measurements.proc_rss_total, '768.00 MiB');
    assert.deepEqual(docs[0]!.measurements.proc_rss, { '4242': '384.00 MiB', '4250': '384.00 MiB' });
    assert.equal(docs[1]!.measurements.proc_pdcpu_total, '390.50%');
    assert.deepEqual(docs[0]!.measurements.proc_stat, { '4242': { R: 2 }, '4250': { S: 1, R: 1 } });
    assert.equal(docs[0]!.measurements.proc_nproc, 3);
  } finally {
    t.cleanup();
  }
});

test('pp of a torn usage.jsonl prints the whole lines and warns', async () => {
  const t = tempDir();
  try {
    const r = await runCli(['pp', `${TORN}usage.jsonl`], { cwd: t.dir });
    assert.equal(r.code, 0);
    assert.equal(parseAllDocuments(r.stdout).length, 2);
    assert.match(r.stderr, /^duct: warning: 2026-11-20T13\.00\.00-7070_usage\.jsonl: last line 3 is incomplete \(torn write\), skipped$/m);
    const missing = await runCli(['pp', 'nope.json'], { cwd: t.dir });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^duct: cannot read nope\.json: ENOENT/);
    const none = await runCli(['pp'], { cwd: t.dir });
    assert.equal(none.code, 2);
  } finally {
    t.cleanup();
  }
});

test('pp reads events.jsonl and con-duct files, humanized by field name', async () => {
  const t = tempDir();
  try {
    const ev = await runCli(['pp', join(REPO_ROOT, 'test', 'fixtures', 'runs', 'basic', '2026-11-20T11.00.00-5151_events.jsonl')], { cwd: t.dir });
    assert.equal(ev.code, 0, ev.stderr);
    const event = parseYaml(ev.stdout) as { kind: string; attributes: Record<string, unknown> };
    assert.equal(event.kind, 'cuda_oom');
    assert.deepEqual(event.attributes, { 'cuda_oom.tried_alloc_bytes': '2.00 GiB', 'cuda_oom.gpu_index': 0 });
    const conduct = join(REPO_ROOT, 'test', 'fixtures', 'conduct', 'v0.2.1', '2024.10.03T09.15.00-51234_');
    const usage = await runCli(['pp', `${conduct}usage.json`], { cwd: t.dir });
    assert.equal(usage.code, 0, usage.stderr);
    const first = parseAllDocuments(usage.stdout)[0]!.toJS() as { totals: Record<string, unknown> };
    assert.deepEqual(first.totals, { pmem: '0.40%', pcpu: '97.00%', rss: '100.00 MiB', vsz: '1.00 GiB' });
    const info = await runCli(['pp', `${conduct}info.json`], { cwd: t.dir });
    const doc = parseYaml(info.stdout) as { execution_summary: Record<string, unknown> };
    assert.equal(doc.execution_summary.peak_rss, '600.00 MiB');
    assert.equal(doc.execution_summary.wall_clock_time, '1m 31.3s');
    assert.equal(doc.execution_summary.num_samples, 90);
  } finally {
    t.cleanup();
  }
});
