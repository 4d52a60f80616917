import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';

const MIB = 1024 * 1024;

interface FakeRun {
  prefix: string;
  command: string;
  status?: 'running' | 'finished';
  wall: number | null;
  summary: Record<string, { unit: string; peak?: number; mean?: number; total?: number }>;
  variables?: Record<string, string>;
  cpuWindows?: number[];
}

/** Write the files of a run as duct leaves them (only the fields the readers use are filled in). */
function writeRun(dir: string, r: FakeRun): void {
  const prefix = join(dir, r.prefix);
  mkdirSync(join(prefix, '..'), { recursive: true });
  const info = {
    schema_version: '1.0.0',
    duct_version: '0.1.0',
    status: r.status ?? 'finished',
    command: r.command,
    argv: r.command.split(' '),
    wall_clock_time: r.wall,
    exit_code: 0,
    environment: { variables: r.variables ?? {} },
    // a SLURM step's cgroup, verified to hold the run alone (what duct records there)
    cgroup: { version: 'v1', memory_path: '/slurm/uid_0/job_1/step_0', cpu_path: '/slurm/uid_0/job_1/step_0', memory_limit_bytes: null, mode: 'reader', membership: 'exclusive', foreign_processes: 0, foreign_example: null },
    execution_summary: r.summary,
  };
  writeFileSync(`${prefix}info.json`, JSON.stringify(info));
  const lines = (r.cpuWindows ?? []).map((v, i) =>
    JSON.stringify({ timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), num_samples: 1, measurements: { proc_pdcpu_total: v } }),
  );
  writeFileSync(`${prefix}usage.jsonl`, lines.map((l) => `${l}\n`).join(''));
}

/** Three array tasks of one training command under a 4 GiB, 4 CPU request, one unrelated run, one still going. */
function arrayOfRuns(dir: string): void {
  const slurm = (task: number): Record<string, string> => ({
    SLURM_JOB_ID: String(100 + task),
    SLURM_ARRAY_JOB_ID: '100',
    SLURM_ARRAY_TASK_ID: String(task),
    SLURM_JOB_NAME: 'train',
    SLURM_MEM_PER_NODE: '4096',
    SLURM_CPUS_PER_TASK: '4',
  });
  const peaks = [900, 1000, 1100];
  peaks.forEach((mib, task) =>
    writeRun(dir, {
      prefix: `logs/100/${task}_`,
      command: 'python train.py',
      wall: 100 + task * 100,
      summary: {
        cgroup_mem_peak: { unit: 'bytes', peak: mib * MIB },
        proc_rss_total: { unit: 'bytes', peak: mib * MIB - 50 * MIB, mean: 500 * MIB },
        proc_pdcpu_total: { unit: 'percent', peak: 180, mean: 120 },
        proc_cpu_seconds: { unit: 'seconds', total: 1.2 * (100 + task * 100) },
      },
      variables: slurm(task),
      cpuWindows: [100, 120, 150, 180],
    }),
  );
  writeRun(dir, { prefix: 'logs/other/sleep_', command: 'sleep 5', wall: 5, summary: { ps_rss_total: { unit: 'bytes', peak: 2 * MIB } } });
  writeRun(dir, { prefix: 'logs/live/x_', command: 'python train.py', status: 'running', wall: null, summary: {} });
}

test('recommend prints one #SBATCH line per command, with its sources, headroom and waste', async () => {
  const { dir, cleanup } = tempDir();
  try {
    arrayOfRuns(dir);
    const r = await runCli(['recommend', 'logs'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    // memory: 1100 MiB × 1.2 = 1320 MiB; CPUs: p95 of 12 windows (4 distinct) = 180% → 2; time: 300 s × 1.2 = 6 min
    assert.ok(lines.includes('#SBATCH --mem=1320M --cpus-per-task=2 --time=00:06:00'), r.stdout);
    assert.match(r.stdout, /^# python train\.py: 4 runs, 3 with cgroup_mem_peak measured$/m);
    assert.match(r.stdout, /--mem=1320M: peak cgroup_mem_peak 1\.07 GiB over 3 runs \+ 20% headroom/);
    assert.match(r.stdout, /--cpus-per-task=2: p95 of proc_pdcpu_total 180\.00% over 12 usage windows of 3 runs/);
    assert.ok(lines.includes('#   not used: logs/live/x_ (still running)'), r.stdout);
    // each task used ~1 GiB of 4 GiB, and 1.2 of 4 cores
    assert.match(r.stdout, /waste: 3 runs used under 50% of what they requested/);
    assert.ok(
      lines.includes(
        '#     logs/100/0_: --mem: used 900.00 MiB of 4.00 GiB (22%, from cgroup_mem_peak); CPUs: used 1.20 on average of 4 (30%, from proc_cpu_seconds / wall_clock_time)',
      ),
      r.stdout,
    );
    assert.match(r.stdout, /^#     logs\/100\/2_: --mem: used 1\.07 GiB of 4\.00 GiB \(27%/m);
    // the other command falls back to the best key it has, and says so
    assert.ok(lines.includes('#SBATCH --mem=3M --time=00:01:00'), r.stdout);
    assert.match(r.stdout, /peak ps_rss_total 2\.00 MiB over 1 run \+ 20% headroom \(summed RSS from ps: shared pages counted once per process, an upper bound; no cgroup_mem_peak of a cgroup holding the run alone\)/);
    assert.match(r.stdout, /--cpus-per-task: not sized, no total CPU rate recorded/);
    assert.equal(r.stderr, '');
  } finally {
    cleanup();
  }
});

test('recommend --json gives the same figures for scripts', async () => {
  const { dir, cleanup } = tempDir();
  try {
    arrayOfRuns(dir);
    const r = await runCli(['recommend', '--json', '--headroom', '10%', 'logs'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.headroom, 0.1);
    assert.equal(out.group_by, 'command');
    assert.equal(out.runs, 5);
    const train = out.groups.find((g: { group: string }) => g.group === 'python train.py');
    assert.equal(train.runs_used, 3);
    assert.equal(train.memory.key, 'cgroup_mem_peak');
    assert.equal(train.memory.peak_bytes, 1100 * MIB);
    assert.equal(train.memory.value, '1210M');
    assert.equal(train.cpus.value, 2);
    assert.equal(train.time.max_wall_seconds, 300);
    assert.equal(train.time.value, '00:06:00');
    assert.equal(train.sbatch, '#SBATCH --mem=1210M --cpus-per-task=2 --time=00:06:00');
    assert.equal(train.waste.filter((w: { resource: string }) => w.resource === 'memory').length, 3);
    assert.deepEqual(out.unmeasured, []);
  } finally {
    cleanup();
  }
});

test('recommend --group-by a recorded SLURM variable', async () => {
  const { dir, cleanup } = tempDir();
  try {
    arrayOfRuns(dir);
    const r = await runCli(['recommend', '--group-by', 'SLURM_JOB_NAME', '--json', 'logs'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(
      out.groups.map((g: { group: string; runs_used: number }) => [g.group, g.runs_used]),
      [['train', 3], ['(no SLURM_JOB_NAME)', 1]],
    );
    const bad = await runCli(['recommend', '--group-by', 'SLURM_NOPE', 'logs'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^duct: invalid --group-by 'SLURM_NOPE': no run under logs has it/);
  } finally {
    cleanup();
  }
});

test('recommend refuses clearly when there is nothing to size from', async () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'empty'));
    const none = await runCli(['recommend', 'empty'], { cwd: dir });
    assert.equal(none.code, 1);
    assert.equal(none.stderr, 'duct: no runs found under empty (looked for <prefix>info.json files)\n');
    assert.equal(none.stdout, '');
    writeRun(dir, { prefix: 'unmeasured/a_', command: 'true', wall: 1, summary: {} });
    const unmeasured = await runCli(['recommend', 'unmeasured'], { cwd: dir });
    assert.equal(unmeasured.code, 1);
    assert.match(unmeasured.stderr, /^duct: none of the 1 runs under unmeasured is finished with a memory measurement/);
    const missing = await runCli(['recommend', 'nowhere'], { cwd: dir });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nowhere/);
  } finally {
    cleanup();
  }
});

test('recommend rejects a bad headroom or percentile with the valid choices', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const h = await runCli(['recommend', '--headroom', 'lots'], { cwd: dir });
    assert.equal(h.code, 2);
    assert.match(h.stderr, /^duct: invalid --headroom 'lots': give a percentage from 0% to 1000%/);
    const p = await runCli(['recommend', '--cpu-percentile', '0'], { cwd: dir });
    assert.equal(p.code, 2);
    assert.match(p.stderr, /invalid --cpu-percentile '0'/);
    const help = await runCli(['recommend', '--help'], { cwd: dir });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--group-by/);
    assert.match(help.stdout, /Examples:/);
  } finally {
    cleanup();
  }
});

test('recommend warns when the job cgroup peak would not fit the recommended --mem', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeRun(dir, {
      prefix: 'logs/7/batch_',
      command: 'python prep.py',
      wall: 60,
      summary: { cgroup_mem_peak: { unit: 'bytes', peak: 1000 * MIB }, cgroup_job_mem_peak: { unit: 'bytes', peak: 1300 * MIB } },
    });
    const r = await runCli(['recommend', 'logs'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.ok(lines.includes('#SBATCH --mem=1200M --time=00:02:00'), r.stdout);
    assert.ok(lines.includes("#   job cgroup peak (cgroup_job_mem_peak): 1.27 GiB; SLURM enforces --mem on the job's cgroup"), r.stdout);
    assert.ok(
      lines.includes("#   warning: the job cgroup peak is above --mem=1200M; the job's other processes need room too, e.g. --mem=1560M"),
      r.stdout,
    );
  } finally {
    cleanup();
  }
});
