import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const FORBIDDEN: Array<[RegExp, string]> = [
  [/shell:\s*true/, 'shell: true'],
  [/(?<![\w.:|])eval\s*\(/, 'eval('],
  [/new\s+Function\s*\(/, 'new Function('],
  // a bare exec( / execSync( call (RegExp's .exec( is fine), or importing them
  [/(?<![.\w])exec(Sync)?\s*\(/, 'child_process.exec('],
  [/import\s*\{[^}]*\bexec(Sync)?\b[^}]*\}\s*from\s*'node:child_process'/, 'import { exec } from child_process'],
];

test('no user string can reach a shell or eval: the source has no shell: true, eval(, new Function(, exec(', () => {
  const files = sources(join(REPO_ROOT, 'src'));
  assert.ok(files.length > 10, 'found the sources');
  const hits: string[] = [];
  for (const f of files) {
    const lines = readFileSync(f, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const [re, name] of FORBIDDEN) if (re.test(line) && !/^\s*(\/\/|\*)/.test(line)) hits.push(`${f}:${i + 1}: ${name}`);
    });
  }
  assert.deepEqual(hits, []);
});

test('the forbidden patterns catch what they are meant to, and not RegExp.exec', () => {
  const caught = (line: string) => FORBIDDEN.some(([re]) => re.test(line));
  for (const bad of ["spawn('x', [], { shell: true })", 'eval(code)', "new Function('return 1')", "exec('ls')", "execSync('ls')", "import { exec } from 'node:child_process'"]) {
    assert.ok(caught(bad), bad);
  }
  assert.equal(caught('const m = /x/.exec(text);'), false);
});
