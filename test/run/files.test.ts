import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SCHEMA_VERSION } from '../../src/files/info.js';
import { inTempDir, runCli } from '../helpers/cli.js';
import { assertRunValid } from '../helpers/validate.js';


test('the default prefix is .duct/logs/{datetime}-{pid}_', () =>
  inTempDir(async (dir) => {
    const r = await runCli(['exit-with', '0'], { cwd: dir });
    assert.equal(r.code, 0);
    const files = readdirSync(join(dir, '.duct/logs')).sort();
    assert.equal(files.length, 4);
    for (const f of files) assert.match(f, /^\d{4}\.\d{2}\.\d{2}T\d{2}\.\d{2}\.\d{2}-\d+_(info\.json|usage\.jsonl|stdout|stderr)$/);
  }));

test('prefix placeholders expand, SLURM ones to "none" outside a job, and leading directories are created', () =>
  inTempDir(async (dir) => {
    const inJob = await runCli(['-p', 'logs/{slurm_job_id}/{slurm_array_task_id}_{hostname}_', 'exit-with', '0'], {
      cwd: dir,
      env: { SLURM_JOB_ID: '4242', SLURM_ARRAY_TASK_ID: '7' },
    });
    assert.equal(inJob.code, 0, inJob.stderr);
    assert.ok(existsSync(join(dir, `logs/4242/7_${hostname()}_info.json`)));
    await assertRunValid(join(dir, `logs/4242/7_${hostname()}_`));
    const outside = await runCli(['-p', 'logs/{slurm_job_id}/{slurm_procid}_', 'exit-with', '0'], {
      cwd: dir,
      env: { SLURM_JOB_ID: undefined, SLURM_PROCID: undefined },
    });
    assert.equal(outside.code, 0);
    assert.ok(existsSync(join(dir, 'logs/none/none_info.json')));
    const bad = await runCli(['-p', 'logs/{jobid}_', 'exit-with', '0'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown placeholder \{jobid\} .* valid placeholders are \{datetime\}, \{pid\}, \{hostname\}, \{slurm_job_id\}/);
  }));

test('existing output files are refused (exit 1, naming them, creating nothing) unless --clobber', () =>
  inTempDir(async (dir) => {
    const first = await runCli(['-p', 'r_', 'echo', 'one'], { cwd: dir });
    assert.equal(first.code, 0);
    const before = readdirSync(dir).sort();
    const again = await runCli(['-p', 'r_', 'echo', 'two'], { cwd: dir });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^duct: output files already exist: r_info\.json, r_usage\.jsonl, r_stdout, r_stderr \(use --clobber/);
    assert.deepEqual(readdirSync(dir).sort(), before);
    assert.equal(readFileSync(join(dir, 'r_stdout'), 'utf8'), 'one\n');
    const clobbered = await runCli(['--clobber', '-p', 'r_', 'echo', 'two'], { cwd: dir });
    assert.equal(clobbered.code, 0);
    assert.equal(readFileSync(join(dir, 'r_stdout'), 'utf8'), 'two\n');
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'r_info.json'), 'utf8')).argv, ['echo', 'two']);
    await assertRunValid(join(dir, 'r_'));
  }));

test('--fail-time: a fast failure removes the logs (default 3 s); 0 keeps them; negative never keeps a failure', () =>
  inTempDir(async (dir) => {
    const fast = await runCli(['-p', 'd/fast_', 'exit-with', '2'], { cwd: dir });
    assert.equal(fast.code, 2);
    assert.match(fast.stderr, /Removing log files since the command failed in less than 3 seconds/);
    assert.equal(existsSync(join(dir, 'd')), false);
    const keep = await runCli(['--fail-time', '0', '-p', 'keep_', 'exit-with', '2'], { cwd: dir });
    assert.equal(keep.code, 2);
    assert.ok(existsSync(join(dir, 'keep_info.json')));
    const slowFail = await runCli(['--fail-time', '-1', '-p', 'neg_', 'sh', '-c', 'sleep 0.3; exit 4'], { cwd: dir });
    assert.equal(slowFail.code, 4);
    assert.equal(existsSync(join(dir, 'neg_info.json')), false);
    const success = await runCli(['--fail-time', '-1', '-p', 'ok_', 'exit-with', '0'], { cwd: dir });
    assert.equal(success.code, 0);
    assert.ok(existsSync(join(dir, 'ok_info.json')));
    mkdirSync(join(dir, 'pre'));
    await runCli(['-p', 'pre/x_', 'exit-with', '1'], { cwd: dir });
    assert.ok(existsSync(join(dir, 'pre')), 'a directory that existed before is not removed');
  }));

test('info.json records the run: command, argv, cwd, times, status, paths, versions', () =>
  inTempDir(async (dir) => {
    const r = await runCli(['-p', 'r_', 'sh', '-c', 'sleep 0.2; echo done'], { cwd: dir });
    assert.equal(r.code, 0);
    const info = JSON.parse(readFileSync(join(dir, 'r_info.json'), 'utf8'));
    assert.equal(info.command, "sh -c 'sleep 0.2; echo done'");
    assert.deepEqual(info.argv, ['sh', '-c', 'sleep 0.2; echo done']);
    assert.equal(info.working_directory, dir);
    assert.ok(info.wall_clock_time >= 0.2 && info.wall_clock_time < 5, String(info.wall_clock_time));
    assert.ok(Date.parse(info.end_time) >= Date.parse(info.start_time));
    assert.equal(info.schema_version, SCHEMA_VERSION);
    assert.match(info.duct_version, /^\d+\.\d+\.\d+/);
    assert.equal(info.output_paths.stdout, 'r_stdout');
    assert.equal(info.output_paths.info, 'r_info.json');
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temp file left behind');
    await assertRunValid(join(dir, 'r_'));
  }));

test('.env files, the environment and the command line take precedence in that order, and never reach the command', () =>
  inTempDir(async (dir) => {
    mkdirSync(join(dir, '.duct'));
    writeFileSync(join(dir, '.duct/.env'), 'DUCT_MESSAGE=from-dotenv\nDUCT_CAPTURE_OUTPUTS=stdout\n# comment\nDUCT_SECRET_THING=1\n');
    const env = { DUCT_CONFIG_PATHS: undefined, XDG_CONFIG_HOME: join(dir, 'xdg') };
    const fromFile = await runCli(['-p', 'a_', 'print-env'], { cwd: dir, env });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    const a = JSON.parse(readFileSync(join(dir, 'a_info.json'), 'utf8'));
    assert.equal(a.message, 'from-dotenv');
    assert.equal(a.output_paths.stderr, null, 'DUCT_CAPTURE_OUTPUTS=stdout from .env');
    const childEnv = JSON.parse(fromFile.stdout);
    assert.equal(childEnv.DUCT_MESSAGE, undefined, '.env values configure duct only');
    assert.equal(childEnv.DUCT_SECRET_THING, undefined);

    const fromEnv = await runCli(['-p', 'b_', 'exit-with', '0'], { cwd: dir, env: { ...env, DUCT_MESSAGE: 'from-env' } });
    assert.equal(fromEnv.code, 0);
    assert.equal(JSON.parse(readFileSync(join(dir, 'b_info.json'), 'utf8')).message, 'from-env');

    const fromCli = await runCli(['-m', 'from-cli', '-p', 'c_', 'exit-with', '0'], { cwd: dir, env: { ...env, DUCT_MESSAGE: 'from-env' } });
    assert.equal(fromCli.code, 0);
    assert.equal(JSON.parse(readFileSync(join(dir, 'c_info.json'), 'utf8')).message, 'from-cli');

    writeFileSync(join(dir, 'xdg-bad.env'), 'this is not a dotenv file\n\0\0');
    const garbage = await runCli(['-p', 'd_', 'exit-with', '0'], { cwd: dir, env: { DUCT_CONFIG_PATHS: `${join(dir, 'xdg-bad.env')}:${join(dir, '.duct/.env')}` } });
    assert.equal(garbage.code, 0);
    assert.match(garbage.stderr, /warning: skipping malformed config file .*xdg-bad\.env \(line 1 is not KEY=VALUE\)/);
    assert.equal(JSON.parse(readFileSync(join(dir, 'd_info.json'), 'utf8')).message, 'from-dotenv');
  }));
