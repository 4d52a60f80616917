import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RUN_OPTIONS } from '../../src/config/run-options.js';
import { runCli, tempDir } from '../helpers/cli.js';

/** Values people and scripts get wrong: empty, signs, extremes, not numbers, huge, terminal sequences, template braces. */
const HOSTILE = ['', '-1', '0', '1e-300', '1e308', 'NaN', 'Infinity', '0x10', ' 1 ', 'x'.repeat(5000), '\u001b]0;pwned\u0007\u001b[2J', '{', '{exit_code:>99999}', 'a,b,,c'];
/** What any failure must look like: duct's own one line, never a crash or a stack trace, never a raw escape sequence. */
// eslint-disable-next-line no-control-regex
const RAW_ESCAPE = /\u001b/;

function assertClean(args: string[], r: Awaited<ReturnType<typeof runCli>>): void {
  const what = JSON.stringify(args).slice(0, 200);
  assert.equal(r.signal, null, `${what}: killed (a hang?)`);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, `${what}: ${r.stderr.slice(0, 500)}`);
  assert.doesNotMatch(r.stderr, RAW_ESCAPE, `${what}: a raw escape sequence on stderr`);
  assert.doesNotMatch(r.stderr, /\(node:\d+\) \w*Warning/, `${what}: a warning of Node's own (a timer overflow?)`);
  if (r.code !== 0) assert.match(r.stderr, /^duct: /m, `${what}: a failure says why`);
}

test('fuzz: every run option with hostile values: it runs, or it fails with duct\'s one line; never a crash, a hang or a raw escape', async () => {
  const names = RUN_OPTIONS.map((o) => o.name).filter((n) => n !== 'output-prefix'); // the prefix gets its own cases below
  const t = tempDir();
  try {
    const samples = fc.sample(fc.tuple(fc.constantFrom(...names), fc.constantFrom(...HOSTILE)), { seed: 18, numRuns: 28 });
    const seen = new Set<string>();
    for (const [name, value] of samples) {
      const args = ['--fail-time', '0', '-p', `runs/${seen.size}_`, `--${name}=${value}`, 'true'];
      seen.add(name);
      assertClean(args, await runCli(args, { cwd: t.dir, timeoutMs: 20_000, validateOutputs: false }));
    }
    assert.ok(seen.size >= names.length / 2, `options reached: ${[...seen].join(', ')}`);
    // timers past 2^31 ms fire after 1 ms: each timed option refuses them
    for (const name of ['sample-interval', 'report-interval', 'kill-grace']) {
      const args = ['--fail-time', '0', '-p', 'runs/t_', `--${name}=1e308`, 'true'];
      const r = await runCli(args, { cwd: t.dir, timeoutMs: 20_000, validateOutputs: false });
      assertClean(args, r);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`^duct: --${name} must be at most 2147483 seconds`));
    }
    for (const value of ['', 'x'.repeat(5000), '\u001b[2J/r_', '{nope}/r_', 'a/'.repeat(3000)]) {
      const args = ['--fail-time', '0', '-p', value, 'true'];
      assertClean(args, await runCli(args, { cwd: t.dir, timeoutMs: 20_000, validateOutputs: false }));
    }
  } finally {
    t.cleanup();
  }
});

test('fuzz: ls options with hostile values: listed, or duct\'s one line', async () => {
  const t = tempDir();
  try {
    const options = ['--format', '--fields', '--filter', '--sort', '--group-by', '--index'];
    const samples = fc.sample(fc.tuple(fc.constantFrom(...options), fc.constantFrom(...HOSTILE)), { seed: 18, numRuns: 16 });
    for (const [name, value] of samples) {
      const args = ['ls', '--stats', `${name}=${value}`, '.'];
      if (name !== '--group-by') args.splice(1, 1);
      assertClean(args, await runCli(args, { cwd: t.dir, timeoutMs: 20_000 }));
    }
  } finally {
    t.cleanup();
  }
});
