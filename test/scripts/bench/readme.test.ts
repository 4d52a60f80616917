import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '../../helpers/cli.js';
import { replaceTable, TABLE_BEGIN, TABLE_END } from '../../../scripts/bench/readme.js';
import { markdownTable } from '../../../scripts/bench/report.js';
import { readResult } from '../../../scripts/bench/result.js';
import { entry, makeResult, runBenchScript, writeJson } from './helpers.js';

const result = makeResult(
  0,
  { passthrough_ratio: entry(0.934, { repeats: [0.9, 0.934, 0.95] }), ls_ms: entry(250, { unit: 'ms', target: '<= 300', higher_is_better: false, description: 'a | b' }) },
  { skipped: { cgroup_peak: 'not root' } },
);

test('the markdown table carries date, machine, commit and one row per benchmark', () => {
  const md = markdownTable(result);
  assert.match(md, /^Measured 2026-01-01 on Test CPU x2, 4 GiB, linux x64 \(TestOS 1, kernel 6\.0, Node v20\.0\.0\), duct 0\.0\.0-test at commit `c0ffee000000`, --repeats 1 \(a benchmark may take fewer; see its repeats\)\.$/m);
  assert.match(md, /^\| `passthrough_ratio` \| 0\.934 \| ratio \| >= 0\.9 \| yes \| 3 \| test figure \|$/m);
  assert.match(md, /^\| `ls_ms` \| 250 \| ms \| <= 300 \| yes \| 1 \| a \\\| b \|$/m);
  assert.match(md, /^- `cgroup_peak` not measured here: not root$/m);
});

test('replaceTable rewrites only what lies between the markers, and again idempotently', () => {
  const readme = `# x\n<!-- section: bench -->\nprose before\n${TABLE_BEGIN}\nold table\n${TABLE_END}\nprose after\n<!-- /section: bench -->\n`;
  const once = replaceTable(readme, result);
  assert.ok(once.startsWith(`# x\n<!-- section: bench -->\nprose before\n${TABLE_BEGIN}\nMeasured 2026-01-01`));
  assert.ok(once.endsWith(`${TABLE_END}\nprose after\n<!-- /section: bench -->\n`));
  assert.ok(!once.includes('old table'));
  assert.equal(replaceTable(once, result), once);
});

test('replaceTable refuses a README without the markers', () => {
  assert.throws(() => replaceTable('# no markers\n', result), /README\.md lacks the bench table markers/);
});

test("the repository README shows, inside its bench section, the table generated from bench/baselines.json", () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('<!-- section: bench -->'), readme.indexOf('<!-- /section: bench -->'));
  assert.ok(section.includes(TABLE_BEGIN) && section.includes(TABLE_END));
  const baseline = readResult(join(REPO_ROOT, 'bench', 'baselines.json'));
  assert.equal(replaceTable(readme, baseline), readme, 'README.md is stale: run `npm run bench:readme` after updating the baseline');
});

test('readme-table rewrites a README from a named result; a README without markers is refused and left as it was', () => {
  const { dir, cleanup } = tempDir();
  try {
    const readme = join(dir, 'README.md');
    writeFileSync(readme, `# t\n${TABLE_BEGIN}\n${TABLE_END}\n`);
    const resultPath = writeJson(join(dir, 'r.json'), result);
    const r = runBenchScript('readme-table', [resultPath, '--readme', readme], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(readme, 'utf8'), `# t\n${TABLE_BEGIN}\n${markdownTable(result)}${TABLE_END}\n`);

    writeFileSync(readme, '# no markers\n');
    const bad = runBenchScript('readme-table', [resultPath, '--readme', readme], dir);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^bench:readme: README\.md lacks the bench table markers/);
    assert.equal(readFileSync(readme, 'utf8'), '# no markers\n');
  } finally {
    cleanup();
  }
});
