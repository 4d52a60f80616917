import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { DUCT_VERSION } from '../../src/version.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

test("the README's install puts `duct` on PATH from a clone: npm install -g --prefix, offline, from a copy", () => {
  const t = tempDir();
  try {
    // a clone as it stands after `npm ci` (built, its dependencies present)
    const clone = join(t.dir, 'clone');
    for (const f of ['package.json', 'package-lock.json', 'README.md']) cpSync(join(REPO_ROOT, f), join(clone, f));
    for (const d of ['bin', 'src']) cpSync(join(REPO_ROOT, 'dist', d), join(clone, 'dist', d), { recursive: true });
    cpSync(join(REPO_ROOT, 'schema'), join(clone, 'schema'), { recursive: true });
    symlinkSync(realpathSync(join(REPO_ROOT, 'node_modules')), join(clone, 'node_modules'));
    const prefix = join(t.dir, 'prefix');
    // --offline: nothing is fetched, the dependencies are the clone's own; --ignore-scripts: `npm ci` built it already
    const npm = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '.'], {
      cwd: clone,
      encoding: 'utf8',
      env: { ...process.env, npm_config_cache: join(t.dir, 'npm-cache') },
      timeout: 120_000,
    });
    assert.equal(npm.status, 0, `${npm.stdout}\n${npm.stderr}`);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; bin: Record<string, string> };
    assert.equal(pkg.name, '@duct-dev/duct', 'a scoped name: `duct` on npm is an unrelated package');
    assert.deepEqual(Object.keys(pkg.bin), ['duct']);
    const env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` };
    const version = spawnSync('duct', ['--version'], { cwd: t.dir, encoding: 'utf8', env });
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout, `${DUCT_VERSION}\n`);
    const run = spawnSync('duct', ['-q', '-p', 'logs/x_', '--', 'echo', 'hello from duct'], { cwd: t.dir, encoding: 'utf8', env });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'hello from duct\n');
    const info = JSON.parse(readFileSync(join(t.dir, 'logs', 'x_info.json'), 'utf8')) as { exit_code: number; command: string };
    assert.deepEqual([info.exit_code, info.command], [0, "echo 'hello from duct'"]);
  } finally {
    t.cleanup();
  }
});
