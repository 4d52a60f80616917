import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CLASSES } from '../../src/detectors/error-classes.js';
import { REPO_ROOT } from '../helpers/cli.js';

function detectorsSection(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('<!-- section: detectors -->');
  const end = readme.indexOf('<!-- /section: detectors -->');
  assert.ok(start >= 0 && end > start, 'README.md has a detectors section');
  return readme.slice(start, end);
}

test('README documents every error class with its attribute value, count key, substrings and runbook hint, and no other', () => {
  const section = detectorsSection();
  const lines = section.split('\n');
  const header = lines.findIndex((l) => l.startsWith('| `dataloader.error_class` | info.json count key |'));
  assert.ok(header >= 0, 'the error-class table is there');
  const end = lines.findIndex((l, i) => i > header && !l.startsWith('|'));
  const rows = lines.slice(header + 2, end);
  assert.deepEqual(
    rows.map((r) => /^\| `([^`]+)`/.exec(r)![1]),
    ERROR_CLASSES.map((c) => c.title),
    'the table lists the classes of src/detectors/error-classes.ts, in order, by their dataloader.error_class value',
  );
  for (const c of ERROR_CLASSES) {
    const row = rows.find((r) => r.startsWith(`| \`${c.title}\` |`))!;
    assert.ok(row.includes(`| \`${c.id}\` |`), `${c.id}: count key`);
    for (const s of c.substrings) {
      const documented = c.confirm ? 'DataLoader worker (pid N) is killed' : s;
      assert.ok(row.includes(`\`${documented}\``), `${c.id}: substring ${s}`);
    }
    assert.ok(row.includes(c.hint), `${c.id}: runbook hint`);
  }
});
