import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandConfigPath, findMalformedLine, loadEnvFiles } from '../../src/config/env-files.js';
import { resolveRunOptions } from '../../src/config/run-options.js';
import { tempDir } from '../helpers/cli.js';

test('config paths expand ${VAR:-default}, ${VAR} and ~', () => {
  assert.equal(expandConfigPath('${XDG_CONFIG_HOME:-/fallback}/duct/.env', {}), '/fallback/duct/.env');
  assert.equal(expandConfigPath('${XDG_CONFIG_HOME:-/fallback}/duct/.env', { XDG_CONFIG_HOME: '/x' }), '/x/duct/.env');
  assert.ok(!expandConfigPath('~/a', {}).startsWith('~'));
});

test('malformed lines are found; multi-line quoted values and export are fine', () => {
  assert.equal(findMalformedLine('A=1\n# c\n\nexport B="x\ny"\nC=\'z\''), null);
  assert.equal(findMalformedLine('A=1\nnot an assignment\n'), 2);
  assert.equal(findMalformedLine('A=\0'), 1);
});

test('later files override earlier ones; only DUCT_ keys are kept', () => {
  const t = tempDir();
  try {
    mkdirSync(join(t.dir, 'a'));
    writeFileSync(join(t.dir, 'a/.env'), 'DUCT_MESSAGE=first\nDUCT_SAMPLE_INTERVAL=2\nOTHER=1\n');
    writeFileSync(join(t.dir, 'b.env'), 'DUCT_MESSAGE=second\n');
    const v = loadEnvFiles({ DUCT_CONFIG_PATHS: `${join(t.dir, 'a/.env')}:${join(t.dir, 'missing')}:${join(t.dir, 'b.env')}` });
    assert.deepEqual(v.values, { DUCT_MESSAGE: 'second', DUCT_SAMPLE_INTERVAL: '2' });
    assert.deepEqual(v.warnings, []);
    const opts = resolveRunOptions({}, {}, v);
    assert.equal(opts.message, 'second');
    assert.equal(opts['sample-interval'], 2);
    assert.throws(() => resolveRunOptions({}, { DUCT_SAMPLE_INTERVAL: 'fast' }, v), /invalid value 'fast' for DUCT_SAMPLE_INTERVAL: expected a number/);
  } finally {
    t.cleanup();
  }
});
