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

test('README documents every error class with its title, substrings and runbook hint, and no other', () => {
  const section = detectorsSection();
  const rows = section.split('\n').filter((l) => /^\| `[a-z0-9_]+` \|/.test(l));
  assert.deepEqual(
    rows.map((r) => /^\| `([a-z0-9_]+)`/.exec(r)![1]),
    ERROR_CLASSES.map((c) => c.id),
    'the table lists the classes of src/detectors/error-classes.ts, in order',
  );
  for (const c of ERROR_CLASSES) {
    const row = rows.find((r) => r.startsWith(`| \`${c.id}\` |`))!;
    assert.ok(row.includes(`| ${c.title} |`), `${c.id}: title`);
    for (const s of c.substrings) {
      const documented = c.confirm ? 'DataLoader worker (pid N) is killed' : s;
      assert.ok(row.includes(`\`${documented}\``), `${c.id}: substring ${s}`);
    }
    assert.ok(row.includes(c.hint), `${c.id}: runbook hint`);
  }
});
