import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { cpSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { generateRuns } from '../fixtures/runs/generate.js';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'runs');

/** A temp dir holding a copy of fixture run directories (the index is written next to the runs). */
function withRuns(...names: string[]): { dir: string; cleanup: () => void } {
  const t = tempDir();
  for (const n of names) cpSync(join(FIXTURES, n), join(t.dir, n), { recursive: true });
  return t;
}

const GiB = 1024 ** 3;

test('ls -f json lists the fixture runs with raw figures in a stable shape', async () => {
  const t = withRuns('basic');
  try {
    const r = await runCli(['ls', 'basic', '-f', 'json'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const runs = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(
      runs.map((x) => Object.keys(x)),
      Array(3).fill(['prefix', 'command', 'exit_code', 'wall_clock_time', 'mem_peak', 'cpu_peak']),
    );
    assert.deepEqual(runs[1], {
      prefix: 'basic/2026-11-20T11.00.00-5151_',
      command: 'python train.py --batch-size 512',
      exit_code: 1,
      wall_clock_time: 5.5,
      // a 1.0.0 run in reader mode: its cgroup was never verified to hold it alone, so its summed RSS is the figure
      mem_peak: 2.5 * GiB,
      cpu_peak: 101.5,
    });
    assert.equal(runs[2]!.mem_peak, 52428800, 'a ps-only run falls back to ps_rss_total');
    const index = join(t.dir, 'basic', '.duct-index.sqlite');
    assert.ok(existsSync(index), 'the index is written in the first path');
    assert.equal(statSync(index).mode & 0o777, 0o600);
  } finally {
    t.cleanup();
  }
});

test('ls in each format: summaries, pyout, json_pp and yaml', async () => {
  const t = withRuns('basic');
  try {
    const fields = ['-F', 'command,exit_code,cgroup_mem_peak'];
    const summaries = await runCli(['ls', 'basic', ...fields], { cwd: t.dir });
    assert.equal(summaries.code, 0, summaries.stderr);
    const blocks = summaries.stdout.trimEnd().split('\n\n');
    assert.equal(blocks.length, 3);
    assert.deepEqual(blocks[1]!.split('\n'), ['python train.py --batch-size 512', '  exit_code:       1', '  cgroup_mem_peak: 3.00 GiB']);
    assert.equal(summaries.stdout.includes('\u001b['), false, 'no colors when piped');

    const pyout = await runCli(['ls', 'basic', '-f', 'pyout', ...fields], { cwd: t.dir });
    const lines = pyout.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^COMMAND\s+EXIT_CODE\s+CGROUP_MEM_PEAK$/);
    assert.match(lines[1]!, /^python train\.py --epochs 3\s+0\s+1\.75 GiB$/);
    assert.match(lines[3]!, /^sh prepare\.sh\s+0\s+-$/);

    const pp = await runCli(['ls', 'basic', '-f', 'json_pp', ...fields], { cwd: t.dir });
    const parsed = JSON.parse(pp.stdout) as unknown[];
    assert.deepEqual(parsed[0], { command: 'python train.py --epochs 3', exit_code: 0, cgroup_mem_peak: 1879048192 });
    assert.ok(pp.stdout.includes('\n  {\n    "command"'));

    const yaml = await runCli(['ls', 'basic', '--format', 'yaml', ...fields], { cwd: t.dir });
    assert.deepEqual(parseYaml(yaml.stdout), parsed);

    const colored = await runCli(['ls', 'basic', '-f', 'pyout', '--colors', ...fields], { cwd: t.dir });
    assert.ok(colored.stdout.includes('\u001b[1m'), '--colors forces colors');
  } finally {
    t.cleanup();
  }
});

test('ls with no path reads .duct/logs, and lists nothing when it does not exist', async () => {
  const t = tempDir();
  try {
    const empty = await runCli(['ls', '-f', 'json'], { cwd: t.dir });
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal(empty.stdout, '[]\n');
    assert.equal(existsSync(join(t.dir, '.duct')), false, 'nothing created');
    mkdirSync(join(t.dir, '.duct'));
    cpSync(join(FIXTURES, 'basic'), join(t.dir, '.duct', 'logs'), { recursive: true });
    const r = await runCli(['ls', '-f', 'json', '-F', 'command'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, 3);
    assert.ok(existsSync(join(t.dir, '.duct', 'logs', '.duct-index.sqlite')));
    const missing = await runCli(['ls', 'nowhere'], { cwd: t.dir });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^duct: no such file or directory: nowhere/);
  } finally {
    t.cleanup();
  }
});

test('--filter selects runs; a syntax error exits 2 pointing at its column', async () => {
  const t = withRuns('basic');
  try {
    const r = await runCli(['ls', 'basic', '-f', 'json', '-F', 'command', '--filter', 'exit_code != 0 and cgroup_mem_peak > 2GiB'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [{ command: 'python train.py --batch-size 512' }]);
    const words = await runCli(['ls', 'basic', '-f', 'json', '-F', 'command', '--filter', "command ~ 'prepare' or wall_clock_time > 8s"], { cwd: t.dir });
    assert.deepEqual(JSON.parse(words.stdout), [{ command: 'python train.py --epochs 3' }, { command: 'sh prepare.sh' }]);

    const bad = await runCli(['ls', 'basic', '--filter', 'exit_code != 0 and (cgroup_mem_peak > 2GiB'], { cwd: t.dir });
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    const lines = bad.stderr.split('\n');
    assert.match(lines[0]!, /^duct: --filter, column 43: expected '\)' to close '\(' at column 20, got end of input$/);
    assert.equal(lines[2]!.indexOf('^'), 2 + 42);
  } finally {
    t.cleanup();
  }
});

test('--sort and --reverse order runs by a field; missing values sort last', async () => {
  const t = withRuns('basic');
  try {
    const r = await runCli(['ls', 'basic', '-f', 'json', '-F', 'wall_clock_time', '--sort', 'wall_clock_time'], { cwd: t.dir });
    assert.deepEqual((JSON.parse(r.stdout) as { wall_clock_time: number }[]).map((x) => x.wall_clock_time), [3, 5.5, 8.25]);
    const rev = await runCli(['ls', 'basic', '-f', 'json', '-F', 'cgroup_mem_peak', '-s', 'cgroup_mem_peak', '-r'], { cwd: t.dir });
    assert.deepEqual((JSON.parse(rev.stdout) as { cgroup_mem_peak: number | null }[]).map((x) => x.cgroup_mem_peak), [null, 3 * GiB, 1879048192]);
  } finally {
    t.cleanup();
  }
});

test('--fields help lists run fields and the measurement figures present; an unknown field exits 2', async () => {
  const t = withRuns('basic');
  try {
    const help = await runCli(['ls', 'basic', '--fields', 'help'], { cwd: t.dir });
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^path\s+path of the run's info\.json \(relative to the working directory when under it\)$/m);
    assert.match(help.stdout, /^mem_peak\s+bytes\s+the run's memory peak/m);
    assert.match(help.stdout, /^cgroup_mem_peak\s+bytes\s+measurement figure: peak/m);
    assert.match(help.stdout, /^proc_pdcpu_total_mean\s+percent/m);
    const bad = await runCli(['ls', 'basic', '-F', 'command,nonsense'], { cwd: t.dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^duct: --fields: unknown field 'nonsense'/);
    const badFormat = await runCli(['ls', 'basic', '-f', 'xml'], { cwd: t.dir });
    assert.equal(badFormat.code, 2);
    assert.equal(badFormat.stderr, "duct: invalid value 'xml' for --format: choose one of summaries, pyout, json, json_pp, yaml\n");
    const evalFilter = await runCli(['ls', 'basic', '--eval-filter', 'True'], { cwd: t.dir });
    assert.equal(evalFilter.code, 2);
    assert.match(evalFilter.stderr, /duct never evaluates code: use --filter/);
  } finally {
    t.cleanup();
  }
});

test('torn runs: a torn info.json is skipped with a warning, the rest is listed', async () => {
  const t = withRuns('basic', 'torn');
  try {
    const r = await runCli(['ls', 'basic', 'torn', '-f', 'json', '-F', 'command,status'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    const runs = JSON.parse(r.stdout) as { command: string; status: string }[];
    assert.equal(runs.length, 4);
    assert.deepEqual(runs[3], { command: 'python loop.py', status: 'running' });
    assert.match(r.stderr, /^duct: warning: 2026-11-20T14\.00\.00-8080_info\.json: not a valid JSON object .*\(in .*torn\)$/m);
  } finally {
    t.cleanup();
  }
});

test('--stats --group-by gives median, p95 and max per command', async () => {
  const t = withRuns('basic');
  try {
    const r = await runCli(['ls', 'basic', '--stats', '--group-by', 'command', '-F', 'wall_clock_time,mem_peak', '-f', 'json'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { group: string; field: string; n: number; median: number; max: number; unit: string }[];
    assert.equal(rows.length, 6);
    const oom = rows.find((x) => x.group === 'python train.py --batch-size 512' && x.field === 'mem_peak')!;
    assert.deepEqual({ n: oom.n, median: oom.median, max: oom.max, unit: oom.unit }, { n: 1, median: 2.5 * GiB, max: 2.5 * GiB, unit: 'bytes' });
    const table = await runCli(['ls', 'basic', '--stats', '-f', 'pyout', '-F', 'wall_clock_time'], { cwd: t.dir });
    assert.match(table.stdout, /^FIELD\s+N\s+MEDIAN\s+P95\s+MAX\nwall_clock_time\s+3\s+5\.5s\s+7\.975s\s+8\.25s\n$/);
    const noStats = await runCli(['ls', 'basic', '--group-by', 'command'], { cwd: t.dir });
    assert.equal(noStats.code, 2);
  } finally {
    t.cleanup();
  }
});

test('--index puts the index where asked', async () => {
  const t = withRuns('basic');
  try {
    const r = await runCli(['ls', 'basic', '--index', 'my.sqlite', '-f', 'json'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(t.dir, 'my.sqlite')));
    assert.equal(existsSync(join(t.dir, 'basic', '.duct-index.sqlite')), false);
  } finally {
    t.cleanup();
  }
});

test('concurrent ls calls while runs are being written leave a sound index', async () => {
  const t = tempDir();
  try {
    const dir = join(t.dir, 'logs');
    generateRuns(dir, 300);
    const calls = Array.from({ length: 4 }, () => runCli(['ls', 'logs', '-f', 'json', '-F', 'path'], { cwd: t.dir }));
    // runs finishing while the calls read
    for (let i = 0; i < 5; i++) {
      generateRuns(dir, 20, 1000 + i * 20);
      await new Promise((r) => setTimeout(r, 10));
    }
    const results = await Promise.all(calls);
    for (const r of results) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const n = (JSON.parse(r.stdout) as unknown[]).length;
      assert.ok(n >= 300 && n <= 400, `each call lists a consistent set (${n})`);
    }
    const final = await runCli(['ls', 'logs', '-f', 'json', '-F', 'path'], { cwd: t.dir });
    assert.equal((JSON.parse(final.stdout) as unknown[]).length, 400);
    const db = new Database(join(dir, '.duct-index.sqlite'), { readonly: true });
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal((db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n, 400);
    db.close();
  } finally {
    t.cleanup();
  }
});

test('con-duct 0.2 runs are listed beside duct runs under their own names; their pcpu is never cpu_peak', async () => {
  const t = withRuns('basic');
  try {
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'conduct', 'v0.2.1'), join(t.dir, 'conduct'), { recursive: true });
    const r = await runCli(['ls', 'basic', 'conduct', '-f', 'json', '-F', 'format,command,wall_clock_time,mem_peak,cpu_peak,conduct_peak_pcpu', '--filter', 'wall_clock_time > 1m'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [
      { format: 'con-duct-0.2', command: 'python train.py --epochs 2', wall_clock_time: 91.25, mem_peak: 629145600, cpu_peak: null, conduct_peak_pcpu: 279.8 },
    ]);
    const table = await runCli(['ls', 'conduct', 'basic', '-f', 'pyout', '-F', 'format,command,mem_peak,cpu_peak'], { cwd: t.dir });
    const lines = table.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 5);
    assert.match(lines[1]!, /^con-duct-0\.2\s+python train\.py --epochs 2\s+600\.00 MiB\s+-$/);
    assert.match(lines[2]!, /^duct\s+python train\.py --epochs 3\s+1\.50 GiB\s+390\.50%$/);
    const summaries = await runCli(['ls', 'conduct', '-F', 'prefix,conduct_peak_rss,conduct_average_pcpu'], { cwd: t.dir });
    assert.equal(summaries.stdout, 'conduct/2024.10.03T09.15.00-51234_\n  conduct_peak_rss:     600.00 MiB\n  conduct_average_pcpu: 168.40%\n');
    const help = await runCli(['ls', 'conduct', '--fields', 'help'], { cwd: t.dir });
    assert.match(help.stdout, /^conduct_peak_pcpu\s+percent\s+con-duct: largest per-sample sum over the session's processes of ps %CPU/m);
  } finally {
    t.cleanup();
  }
});

test('ls -f json and json_pp of index columns (streamed from the index) match the listing built from the runs', async () => {
  const t = withRuns('basic', 'torn');
  try {
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'conduct'), join(t.dir, 'conduct'), { recursive: true });
    generateRuns(join(t.dir, 'gen'), 12);
    // --sort path keeps the found order but takes the general path (summaries parsed, a row object per run)
    for (const args of [['-f', 'json'], ['-f', 'json_pp'], ['-f', 'json', '-r'], ['-f', 'json_pp', '-F', 'path,format,prefix,command,path,exit_code'], ['-f', 'json', '-F', 'cpu_peak,mem_peak', '-r']]) {
      const streamed = await runCli(['ls', '.', ...args], { cwd: t.dir });
      const built = await runCli(['ls', '.', ...args, '--sort', 'path'], { cwd: t.dir });
      assert.equal(streamed.code, 0, streamed.stderr);
      assert.equal(streamed.stdout, built.stdout, args.join(' '));
      assert.equal(streamed.stderr, built.stderr, 'the same warnings in the same order');
      assert.ok((JSON.parse(streamed.stdout) as unknown[]).length >= 17);
    }
    assert.match((await runCli(['ls', '.', '-f', 'json'], { cwd: t.dir })).stderr, /not a valid JSON object/);
  } finally {
    t.cleanup();
  }
});

test("every con-duct ls field name works in -F, --sort and --filter, mapped to duct's figures; prefix comes first", async () => {
  const t = withRuns('basic');
  try {
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'conduct', 'v0.2.2-jsonl'), join(t.dir, 'conduct'), { recursive: true });
    const names = 'peak_rss average_rss peak_vsz peak_pmem peak_pcpu average_pcpu num_samples num_reports logs_prefix stdout stderr usage info cpu_total memory_total uid user gpu'.split(' ');
    const r = await runCli(['ls', 'conduct', 'basic', '-f', 'json', '-F', names.join(',')], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(rows[0]!), ['prefix', ...names], 'prefix first, as con-duct lists it');
    const p = 'conduct/2025.12.10T14.02.11-777_';
    assert.deepEqual(rows[0], {
      prefix: p, peak_rss: 629145600, average_rss: 498073600.5, peak_vsz: 3758096384, peak_pmem: 2.4, peak_pcpu: 279.8, average_pcpu: 168.4,
      num_samples: 90, num_reports: 4, logs_prefix: p, stdout: `${p}stdout`, stderr: `${p}stderr`, usage: `${p}usage.jsonl`, info: `${p}info.json`,
      cpu_total: 16, memory_total: 67108864000, uid: 1000, user: 'ada', gpu: 'NVIDIA A100-SXM4-40GB',
    });
    // a duct run: peak_rss is its summed RSS (2.5 GiB), not mem_peak; peak_pcpu its interval rate (cpu_peak)
    const duct = rows.find((x) => x.prefix === 'basic/2026-11-20T11.00.00-5151_')!;
    assert.equal(duct.peak_rss, 2.5 * GiB);
    assert.equal(duct.peak_pcpu, 101.5);
    assert.equal(duct.num_samples, null);
    const sorted = await runCli(['ls', 'conduct', 'basic', '-f', 'json', '-F', 'peak_rss', '--sort', 'peak_rss', '--filter', 'peak_rss > 500MiB'], { cwd: t.dir });
    assert.equal(sorted.code, 0, sorted.stderr);
    assert.deepEqual((JSON.parse(sorted.stdout) as { peak_rss: number }[]).map((x) => x.peak_rss), [629145600, 1.5 * GiB, 2.5 * GiB]);
    const ordered = await runCli(['ls', 'conduct', '-f', 'json', '-F', 'user,prefix'], { cwd: t.dir });
    assert.deepEqual(Object.keys((JSON.parse(ordered.stdout) as object[])[0]!), ['user', 'prefix'], 'an order the user gives is kept');
    const help = await runCli(['ls', 'conduct', '--fields', 'help'], { cwd: t.dir });
    assert.match(help.stdout, /^peak_rss\s+bytes\s+summed RSS peak .*not mem_peak$/m);
    const e = await runCli(['ls', 'conduct', '-e', "exit_code == 0"], { cwd: t.dir });
    assert.equal(e.code, 2);
    assert.match(e.stderr, /^duct: -e\/--eval-filter runs Python in con-duct; duct never evaluates code: use --filter .*\n$/);
  } finally {
    t.cleanup();
  }
});
