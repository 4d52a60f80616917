import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

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

const isRoot = process.getuid?.() === 0;

test('shell metacharacters in the command stay literal arguments, also through the --cgroup isolate wrapper and the watchdog', async () => {
  const t = tempDir();
  try {
    const evil = ['$(touch pwned1)', '`touch pwned2`', '; touch pwned3', '"; touch pwned4; "', "'$0' \"$@\" && touch pwned5"];
    const modes = [['--cgroup', 'reader'], ...(isRoot ? [['--cgroup', 'isolate']] : [])];
    for (const mode of modes) {
      const r = await runCli([...mode, '--fail-time', '0', '-p', `r${mode[1]}_`, 'printf', '%s\\n', ...evil], { cwd: t.dir });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, evil.map((e) => `${e}\n`).join(''), 'every argument arrives as given');
    }
    assert.deepEqual(readdirSync(t.dir).filter((f) => f.startsWith('pwned')), []);
  } finally {
    t.cleanup();
  }
});

test('the ls index (and its WAL files) and the detect cursor are created 0600, whatever the umask', async () => {
  const t = tempDir();
  // a permissive umask (inherited by duct): only an explicit mode gives 0600
  const umask = process.umask(0o000);
  try {
    const r = await runCli(['--fail-time', '0', '-p', 'runs/a_', 'true'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    const ls = await runCli(['ls', 'runs'], { cwd: t.dir });
    assert.equal(ls.code, 0, ls.stderr);
    const index = readdirSync(join(t.dir, 'runs')).filter((f) => f.startsWith('.duct-index.sqlite'));
    assert.ok(index.includes('.duct-index.sqlite'), `index files: ${index.join(', ')}`);
    for (const f of index) assert.equal(statSync(join(t.dir, 'runs', f)).mode & 0o777, 0o600, `${f} is 0600`);

    const c = join(t.dir, 'pods', 'ml_p_u', 'c');
    mkdirSync(c, { recursive: true });
    writeFileSync(join(c, '0.log'), '2024-05-01T10:00:01.000000000Z stdout F hello\n');
    const state = join(t.dir, 'state');
    mkdirSync(state);
    // a cursor left 0644 by someone else is replaced 0600 too
    writeFileSync(join(state, 'detect-cursor.json'), '{}', { mode: 0o644 });
    for (let pass = 0; pass < 2; pass++) {
      const d = await runCli(['detect', '--state-dir', state, 'pods/*/*/*.log'], { cwd: t.dir });
      assert.equal(d.code, 0, d.stderr);
      assert.equal(statSync(join(state, 'detect-cursor.json')).mode & 0o777, 0o600);
    }
    assert.deepEqual(readdirSync(state), ['detect-cursor.json'], 'no temp file left behind');
  } finally {
    process.umask(umask);
    t.cleanup();
  }
});

test('container logs: a symlink met by the glob (a log file, a rotated sibling, a pod directory) is never followed out of it', async () => {
  const t = tempDir();
  try {
    const outside = join(t.dir, 'outside');
    mkdirSync(join(outside, 'c'), { recursive: true });
    const secret = '2024-05-01T10:00:01.000000000Z stderr F SECRET torch.OutOfMemoryError: CUDA out of memory.\n';
    writeFileSync(join(outside, 'secret.log'), secret);
    writeFileSync(join(outside, 'c', '0.log'), secret);
    const c = join(t.dir, 'pods', 'ml_p_u', 'c');
    mkdirSync(c, { recursive: true });
    writeFileSync(join(c, '0.log'), '2024-05-01T10:00:02.000000000Z stdout F fine\n');
    symlinkSync(join(outside, 'secret.log'), join(c, '1.log'));
    symlinkSync(join(outside, 'secret.log'), join(c, '0.log.20240501-095900'));
    symlinkSync(outside, join(t.dir, 'pods', 'ml_q_u'));
    for (const pattern of ['pods/*/*/*.log', 'pods/**/*.log', 'pods/*/*/*']) {
      const r = await runCli(['detect', '--emit', 'records', pattern], { cwd: t.dir });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /SECRET/, `${pattern}: nothing read through a symlink`);
      assert.deepEqual(r.stdout.trim().split('\n').map((l) => JSON.parse(l).message), ['fine'], pattern);
      for (const l of r.stderr.split('\n').filter((x) => x !== '')) assert.match(l, /^duct: .* is a symlink, skipped$/);
    }
    // named explicitly, a symlinked log file is refused too, with one line
    const r = await runCli(['detect', '--emit', 'records', join(c, '1.log')], { cwd: t.dir });
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /1\.log is a symlink, skipped/);
  } finally {
    t.cleanup();
  }
});
