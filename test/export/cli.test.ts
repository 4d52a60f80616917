/** The export options as users give them: bad input refused before anything starts; a dead Pushgateway never fails the run. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { inTempDir, runCli } from '../helpers/cli.js';
import { startReceiver } from './otlp-receiver.js';

const refusals: Array<[string[], NodeJS.ProcessEnv, string]> = [
  [['--pushgateway', 'pg:9091'], {}, 'duct: --pushgateway pg:9091 is not an http or https URL\n'],
  [['--prom-textfile', 'no/such/dir'], {}, "duct: --prom-textfile no/such/dir is not a writable directory (ENOENT); give node_exporter's --collector.textfile.directory\n"],
  [['--otlp', '--export-timeout', '-1'], {}, 'duct: --export-timeout must be greater than 0 seconds (got -1)\n'],
  [[], { DUCT_PUSHGATEWAY_REPORTS: 'true' }, 'duct: --pushgateway-reports needs --pushgateway URL\n'],
  [[], { OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' }, 'duct: OTEL_EXPORTER_OTLP_ENDPOINT localhost:4318 is not an http or https URL\n'],
];
for (const [args, env, stderr] of refusals) {
  test(`refused before the command starts: ${[...args, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)].join(' ')}`, () =>
    inTempDir(async (dir) => {
      const res = await runCli([...args, '--', 'exit-with', '0'], { cwd: dir, env });
      assert.deepEqual([res.code, res.stderr, res.stdout], [2, stderr, '']);
      assert.equal(existsSync(join(dir, '.duct')), false);
    }));
}

test('a Pushgateway that refuses: one warning naming it (no credentials), the run exits as its command did, the textfile is complete', () =>
  inTempDir(async (dir) => {
    const dead = await startReceiver('ok');
    await dead.close(); // its port is free now: nothing listens there
    const textfile = join(dir, 'textfile');
    mkdirSync(textfile);
    const res = await runCli(
      ['--prom-textfile', textfile, '--pushgateway', dead.url.replace('http://', 'http://ops:hunter2@'), '--export-job', 'nightly', '--fail-time', '0', '-p', 'logs/r_', '--', 'exit-with', '3'],
      { cwd: dir },
    );
    assert.equal(res.code, 3);
    const warnings = res.stderr.split('\n').filter((l) => l.includes('warning'));
    assert.equal(warnings.length, 1, res.stderr);
    assert.match(warnings[0]!, new RegExp(`^duct: warning: cannot push to the Pushgateway http://REDACTED@${dead.url.slice(7).replace(/\./g, '\\.')}/: .*ECONNREFUSED.*; the run goes on without it$`));
    assert.doesNotMatch(res.stderr + readFileSync(join(dir, 'logs/r_info.json'), 'utf8'), /hunter2/);
    assert.deepEqual(readdirSync(textfile), [`duct_nightly_${hostname()}.prom`]);
    const text = readFileSync(join(textfile, `duct_nightly_${hostname()}.prom`), 'utf8');
    assert.match(text, new RegExp(`^duct_exit_code\\{job_name="nightly",host="${hostname()}"\\} 3$`, 'm'));
    assert.match(text, new RegExp(`^duct_run_finished\\{job_name="nightly",host="${hostname()}"\\} 1$`, 'm'));
  }));
