import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { DUCT_BIN, REPO_ROOT, tempDir } from '../helpers/cli.js';

/** A color or bold code (not the progress line's erase-line). */
const COLOR = /\u001b\[[0-9;]*m/;

/** Run duct on a pseudo-terminal (util-linux `script`), stdout and stderr both on it; what the terminal got. */
function onTerminal(args: string[], cwd: string, env: Record<string, string> = {}): string {
  const quoted = ['node', DUCT_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const base: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('NO_COLOR' in env)) delete base.NO_COLOR;
  if (!('DUCT_COLORS' in env)) delete base.DUCT_COLORS;
  const r = spawnSync('script', ['-qec', quoted, '/dev/null'], { cwd, encoding: 'utf8', env: base, timeout: 60_000 });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  return r.stdout;
}

test('on a terminal the summary and ls are colored; NO_COLOR, --no-colors, --colors false and DUCT_COLORS=0 each turn it off', () => {
  const t = tempDir();
  try {
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'runs', 'basic'), join(t.dir, 'basic'), { recursive: true });
    const run = ['-p', 'logs/r{pid}_', '--', 'true'];
    assert.match(onTerminal(run, t.dir), COLOR, 'colored on a terminal by default');
    assert.match(onTerminal(['ls', 'basic', '-f', 'pyout'], t.dir), COLOR);
    const offs: [string[], Record<string, string>][] = [
      [[], { NO_COLOR: '1' }],
      [['--no-colors'], {}],
      [['--colors', 'false'], {}],
      [[], { DUCT_COLORS: '0' }],
    ];
    for (const [flags, env] of offs) {
      const what = `${flags.join(' ')} ${JSON.stringify(env)}`;
      const summary = onTerminal([...flags, ...run], t.dir, env);
      assert.match(summary, /Exit Code: 0/, what);
      assert.doesNotMatch(summary, COLOR, `run ${what}`);
      assert.doesNotMatch(onTerminal(['ls', 'basic', '-f', 'pyout', ...flags], t.dir, env), COLOR, `ls ${what}`);
    }
    assert.match(onTerminal(['--colors', ...run], t.dir, { NO_COLOR: '1' }), COLOR, 'an explicit --colors wins over NO_COLOR');
  } finally {
    t.cleanup();
  }
});
