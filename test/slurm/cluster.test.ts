/**
 * Integration test against a real single-node SLURM (Debian's slurm-wlm and munge), cgroup v1
 * job cgroups: duct runs inside batch jobs, an srun step and a job array, and its figures are
 * checked against what the jobs read from their own cgroups. Skipped, with the reason, where
 * the machine cannot run SLURM (not root, no cgroup v1 memory controller, no packages).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DUCT_BIN, FIXTURE_BIN, REPO_ROOT, pollUntil, runCli, tempDir } from '../helpers/cli.js';
import { recordedRequest } from '../../src/slurm/from-run-view.js';
import { formatSlurmMem } from '../../src/slurm/sbatch-format.js';

const MIB = 1024 * 1024;
const SCRIPTS = join(REPO_ROOT, 'scripts', 'slurm');

/** null when this machine can run the cluster, else why not (check-host.sh's one line). */
function hostProblem(): string | null {
  const r = spawnSync(join(SCRIPTS, 'check-host.sh'), { encoding: 'utf8' });
  return r.status === 0 ? null : (r.stdout || r.stderr || `check-host.sh failed (${r.status})`).trim();
}

/** CI installs the packages when absent (root, apt-get); a developer's machine is never changed by a test. */
function skipReason(): string | false {
  let problem = hostProblem();
  if (problem !== null && /not installed/.test(problem) && process.env.CI === 'true') {
    const r = spawnSync(join(SCRIPTS, 'install-deps.sh'), { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) return `installing slurm-wlm and munge failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`;
    problem = hostProblem();
  }
  return problem === null ? false : `SLURM cannot run here: ${problem}`;
}

interface Cluster {
  state: string;
  env: NodeJS.ProcessEnv;
  node: string;
}

function slurmCmd(cluster: Cluster, cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { env: cluster.env, encoding: 'utf8', timeout: 30_000 });
}

/** `sbatch --parsable ...` → the job id. */
function submit(cluster: Cluster, cwd: string, args: string[]): string {
  const out = execFileSync('sbatch', ['--parsable', `--chdir=${cwd}`, ...args], { cwd, env: cluster.env, encoding: 'utf8', timeout: 30_000 });
  const id = out.trim().split(';')[0]!;
  assert.match(id, /^\d+$/, `sbatch printed ${out}`);
  return id;
}

/** `scontrol show job -o ID` as key=value maps, one per job (an array gives one per task). */
function showJob(cluster: Cluster, id: string): Record<string, string>[] {
  return slurmCmd(cluster, 'scontrol', ['show', 'job', '-o', id])
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const fields: Record<string, string> = {};
      for (const m of line.matchAll(/(\S+?)=(\S*)/g)) fields[m[1]!] ??= m[2]!;
      return fields;
    });
}

function writeScript(path: string, lines: string[]): string {
  writeFileSync(path, `${lines.join('\n')}\n`);
  chmodSync(path, 0o755);
  return path;
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

function summaryPeak(info: Record<string, unknown>, key: string): number | undefined {
  const es = info.execution_summary as Record<string, { peak?: number }>;
  return es[key]?.peak;
}

/** The job reads its own cgroup after duct exits: the path, the step's peak and the job's peak. */
const READ_OWN_CGROUP = [
  'memcg=$(grep -E "^[0-9]+:memory:" /proc/self/cgroup | cut -d: -f3)',
  'mkdir -p truth',
  'echo "$memcg" > "truth/$SLURM_JOB_ID.path"',
  'cat "/sys/fs/cgroup/memory$memcg/memory.max_usage_in_bytes" > "truth/$SLURM_JOB_ID.step"',
  'cat "/sys/fs/cgroup/memory${memcg%/step_*}/memory.max_usage_in_bytes" > "truth/$SLURM_JOB_ID.job"',
];

const reason = skipReason();

test('duct under a real SLURM (cgroup v1): batch job, srun step, job array, recommend', { skip: reason, timeout: 300_000 }, async (t) => {
  const { dir, cleanup } = tempDir('duct-slurm-');
  const state = join(dir, 'cluster');
  const jobs = join(dir, 'jobs');
  const bin = join(dir, 'bin');
  mkdirSync(jobs);
  mkdirSync(bin);
  // `duct` on the compute node's PATH: the built CLI, run by this node
  writeScript(join(bin, 'duct'), ['#!/bin/sh', `exec "${process.execPath}" "${DUCT_BIN}" "$@"`]);
  let started = false;
  // should the test runner end this process before `finally` runs, the daemons still stop
  const stopOnExit = (): void => void spawnSync(join(SCRIPTS, 'stop-cluster.sh'), [state], { timeout: 60_000 });
  process.once('exit', stopOnExit);
  try {
    const start = spawnSync(join(SCRIPTS, 'start-cluster.sh'), [state], { encoding: 'utf8', timeout: 90_000 });
    started = true;
    assert.equal(start.status, 0, `start-cluster.sh failed:\n${start.stdout}${start.stderr}`);
    const node = /^node=(.+)$/m.exec(start.stdout)![1]!;
    const cluster: Cluster = {
      state,
      node,
      env: {
        ...process.env,
        SLURM_CONF: join(state, 'etc', 'slurm.conf'),
        PATH: [bin, FIXTURE_BIN, dirname(process.execPath), process.env.PATH ?? ''].join(':'),
        XDG_CONFIG_HOME: join(dir, '.xdg-none'),
        DUCT_CONFIG_PATHS: '',
      },
    };

    // A: plain `duct ...` in the batch script (runs in step_batch); one #SBATCH line with several options
    const plainScript = writeScript(join(jobs, 'plain.sbatch'), [
      '#!/bin/bash',
      '#SBATCH --mem=400M --cpus-per-task=1 --time=00:05:00',
      '#SBATCH --output=plain-%j.out',
      'set -eu',
      "duct --s-i 0.2 --r-i 1 -p 'logs/{slurm_job_id}/batch_' -- alloc-mb 150 2",
      ...READ_OWN_CGROUP,
    ]);
    // B: `srun duct --mode current-session` in a job step, which reads its step cgroup before the step ends
    writeScript(join(jobs, 'step.sh'), [
      '#!/bin/bash',
      'set -eu',
      'mkdir -p truth && echo $$ > "truth/$SLURM_JOB_ID.shell"',
      "duct --mode current-session --s-i 0.2 --r-i 1 -p 'logs/{slurm_job_id}/{slurm_array_task_id}_' -- alloc-mb 120 2",
      ...READ_OWN_CGROUP,
    ]);
    const srunScript = writeScript(join(jobs, 'srun.sbatch'), [
      '#!/bin/bash',
      '#SBATCH --mem=300M',
      '#SBATCH --cpus-per-task=1',
      '#SBATCH --output=srun-%j.out',
      'srun bash step.sh',
    ]);
    // C: the shipped job-array wrapper, three tasks of one command
    const plainId = submit(cluster, jobs, [plainScript]);
    const srunId = submit(cluster, jobs, [srunScript]);
    const arrayId = submit(cluster, jobs, ['--array=0-2', '--mem=500M', '--output=array-%A_%a.out', join(SCRIPTS, 'duct-array.sbatch'), 'alloc-mb', '100', '2']);

    await pollUntil(() => slurmCmd(cluster, 'squeue', ['-h', '-o', '%A']).trim() === '', 180_000, 'the jobs to finish');
    const outputs = () =>
      readdirSync(jobs)
        .filter((f) => f.endsWith('.out'))
        .map((f) => `--- ${f}\n${readFileSync(join(jobs, f), 'utf8')}`)
        .join('\n');
    for (const id of [plainId, srunId, arrayId]) {
      for (const job of showJob(cluster, id)) {
        assert.equal(`${job.JobState} ${job.ExitCode}`, 'COMPLETED 0:0', `job ${job.JobId} ended ${job.JobState} ${job.ExitCode}\n${outputs()}`);
      }
    }

    await t.test('plain duct in the batch script: prefix, environment, request, cgroup paths and peaks', () => {
      const infoPath = join(jobs, 'logs', plainId, 'batch_info.json');
      assert.ok(existsSync(infoPath), `{slurm_job_id} did not expand to ${plainId}: ${readdirSync(join(jobs, 'logs')).join(' ')}`);
      const info = readJson(infoPath);
      const truthPath = readFileSync(join(jobs, 'truth', `${plainId}.path`), 'utf8').trim();
      assert.equal(truthPath, `/slurm_${node}/uid_0/job_${plainId}/step_batch/task_0`);
      const stepPeak = Number(readFileSync(join(jobs, 'truth', `${plainId}.step`), 'utf8'));
      const jobPeak = Number(readFileSync(join(jobs, 'truth', `${plainId}.job`), 'utf8'));
      t.diagnostic(`batch job ${plainId}: step peak ${stepPeak} B, job peak ${jobPeak} B`);

      const variables = (info.environment as { variables: Record<string, string> }).variables;
      assert.equal(variables.SLURM_JOB_ID, plainId);
      assert.equal(variables.SLURM_MEM_PER_NODE, '400');
      assert.equal(variables.SLURM_CPUS_PER_TASK, '1');
      const request = recordedRequest(info);
      assert.equal(request?.job_id, plainId);
      assert.equal(request?.mem_bytes, 400 * MIB);
      assert.equal(request?.cpus, 1);

      const cgroup = info.cgroup as Record<string, unknown>;
      assert.equal(cgroup.memory_path, truthPath);
      const jobPath = `/slurm_${node}/uid_0/job_${plainId}`;
      assert.ok(Object.values(cgroup).includes(jobPath), `info.json cgroup records the job cgroup ${jobPath}: ${JSON.stringify(cgroup)}`);

      assert.equal(summaryPeak(info, 'cgroup_mem_peak'), stepPeak, 'cgroup_mem_peak is the step cgroup memory.max_usage_in_bytes');
      assert.equal(cgroup.membership, 'exclusive', `the step cgroup holds the run alone: ${JSON.stringify(cgroup)}`);
      assert.equal((info.figures as { mem_peak: { source: string; value: number } }).mem_peak.source, 'cgroup_mem_peak');
      assert.equal((info.figures as { mem_peak: { source: string; value: number } }).mem_peak.value, stepPeak);
      assert.ok(stepPeak > 150 * MIB, `the step peak ${stepPeak} holds the 150 MiB workload`);
      const recordedJobPeak = summaryPeak(info, 'cgroup_job_mem_peak');
      assert.ok(recordedJobPeak !== undefined, 'cgroup_job_mem_peak is recorded');
      assert.ok(recordedJobPeak >= stepPeak && recordedJobPeak <= jobPeak, `job peak ${recordedJobPeak} between ${stepPeak} and ${jobPeak}`);

      const environment = info.environment as Record<string, unknown>;
      assert.deepEqual(environment.slurm_request, request, 'info.json environment.slurm_request records the job request');
    });

    await t.test('srun duct --mode current-session: the step cgroup, and the array placeholder outside an array', () => {
      const infoPath = join(jobs, 'logs', srunId, 'none_info.json');
      assert.ok(existsSync(infoPath), `{slurm_array_task_id} outside an array did not become "none": ${readdirSync(join(jobs, 'logs', srunId)).join(' ')}`);
      const info = readJson(infoPath);
      const truthPath = readFileSync(join(jobs, 'truth', `${srunId}.path`), 'utf8').trim();
      assert.equal(truthPath, `/slurm_${node}/uid_0/job_${srunId}/step_0/task_0`);
      assert.equal((info.cgroup as Record<string, unknown>).memory_path, truthPath);
      const stepPeak = Number(readFileSync(join(jobs, 'truth', `${srunId}.step`), 'utf8'));
      assert.equal(summaryPeak(info, 'cgroup_mem_peak'), stepPeak);
      assert.equal(info.mode, 'current-session');
      assert.equal((info.cgroup as Record<string, unknown>).membership, 'exclusive');
      assert.equal((info.figures as { mem_peak: { source: string } }).mem_peak.source, 'cgroup_mem_peak');
      // duct's ancestors share its session (slurmstepd, the step's shell) but are not the run
      const shell = readFileSync(join(jobs, 'truth', `${srunId}.shell`), 'utf8').trim();
      const usage = readFileSync(join(jobs, 'logs', srunId, 'none_usage.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { measurements: Record<string, unknown> });
      const pids = new Set<string>();
      const commands: string[] = [];
      for (const rec of usage) {
        for (const v of Object.values(rec.measurements)) if (typeof v === 'object' && v !== null) for (const pid of Object.keys(v)) pids.add(pid);
        commands.push(...Object.values((rec.measurements['proc_cmd'] ?? {}) as Record<string, string>));
      }
      assert.ok(pids.size > 0, 'the run has per-process records');
      assert.ok(!pids.has(shell), `the step's shell ${shell} is not in the run: ${[...pids].join(' ')}`);
      assert.ok(!commands.some((c) => /slurmstepd/.test(c)), `no slurmstepd in the run: ${commands.join(' | ')}`);
      assert.ok(commands.some((c) => /alloc-mb 120/.test(c)), commands.join(' | '));
    });

    await t.test('every run written inside SLURM validates against schema/', async () => {
      const r = await runCli(['validate', '-q', join(jobs, 'logs')], { cwd: jobs, env: cluster.env });
      assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
    });

    let recommendedLine = '';
    await t.test('duct recommend over the job array gives --mem from the tasks cgroup peaks plus 20%', async () => {
      const arrayLogs = join(jobs, 'logs', arrayId);
      assert.deepEqual(readdirSync(arrayLogs).filter((f) => f.endsWith('info.json')).sort(), ['0_info.json', '1_info.json', '2_info.json']);
      const peaks = ['0', '1', '2'].map((task) => summaryPeak(readJson(join(arrayLogs, `${task}_info.json`)), 'cgroup_mem_peak'));
      for (const p of peaks) assert.ok(p !== undefined && p > 100 * MIB && p < 400 * MIB, `task peak ${p} holds the 100 MiB workload`);
      const expectedMem = formatSlurmMem(Math.max(...(peaks as number[])) * 1.2);

      const text = await runCli(['recommend', arrayLogs], { cwd: jobs, env: cluster.env });
      assert.equal(text.code, 0, text.stderr);
      t.diagnostic(`duct recommend ${arrayLogs}:\n${text.stdout}`);
      const line = text.stdout.split('\n').find((l) => l.startsWith('#SBATCH '));
      assert.ok(line, text.stdout);
      assert.match(line, new RegExp(`^#SBATCH --mem=${expectedMem} --cpus-per-task=1 --time=00:0\\d:00$`));
      assert.match(text.stdout, /^# alloc-mb 100 2: 3 runs, 3 with cgroup_mem_peak measured$/m);
      // each task used well under the 500M it asked for
      assert.match(text.stdout, /waste: 3 runs used under 50% of what they requested/);
      recommendedLine = line;

      const json = await runCli(['recommend', '--json', arrayLogs], { cwd: jobs, env: cluster.env });
      assert.equal(json.code, 0, json.stderr);
      const out = JSON.parse(json.stdout) as { groups: { runs_used: number; memory: { key: string; value: string } }[] };
      assert.equal(out.groups.length, 1);
      assert.equal(out.groups[0]?.runs_used, 3);
      assert.equal(out.groups[0]?.memory.key, 'cgroup_mem_peak');
      assert.equal(out.groups[0]?.memory.value, expectedMem);
    });

    await t.test('sbatch accepts the recommended #SBATCH line as printed', () => {
      assert.notEqual(recommendedLine, '', 'recommend printed a line');
      const flags = Object.fromEntries([...recommendedLine.matchAll(/--([a-z-]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
      const script = writeScript(join(jobs, 'sized.sbatch'), ['#!/bin/bash', recommendedLine, '#SBATCH --output=/dev/null', 'true']);
      const id = submit(cluster, jobs, ['--hold', script]);
      try {
        const [job] = showJob(cluster, id);
        assert.equal(job?.MinMemoryNode, flags.mem);
        assert.equal(job?.['CPUs/Task'], flags['cpus-per-task']);
        assert.equal(job?.TimeLimit, flags.time);
      } finally {
        slurmCmd(cluster, 'scancel', [id]);
      }
    });
  } finally {
    process.removeListener('exit', stopOnExit);
    if (started) {
      const stop = spawnSync(join(SCRIPTS, 'stop-cluster.sh'), [state], { encoding: 'utf8', timeout: 60_000 });
      if (stop.status !== 0) t.diagnostic(`stop-cluster.sh: ${stop.stderr}`);
      for (const name of ['munged', 'slurmctld', 'slurmd']) {
        assert.equal(existsSync(join(state, 'pids', `${name}.pid`)), false, `${name} was stopped`);
      }
    }
    cleanup();
  }
});
