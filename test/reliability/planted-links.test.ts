import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../src/files/atomic-json.js';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const PRECIOUS = 'an unrelated file that must never change\n';

test('dangling links planted at <prefix>stdout and <prefix>usage.jsonl: refused without --clobber, their targets never created', async () => {
  const t = tempDir();
  try {
    symlinkSync(join(t.dir, 'target-out'), join(t.dir, 'r_stdout'));
    symlinkSync(join(t.dir, 'target-usage'), join(t.dir, 'r_usage.jsonl'));
    const r = await runCli(['--fail-time', '0', '-p', 'r_', 'echo', 'hi'], { cwd: t.dir });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^duct: output files already exist: .*r_usage\.jsonl, .*r_stdout \(use --clobber/m);
    assert.equal(existsSync(join(t.dir, 'target-out')), false);
    assert.equal(existsSync(join(t.dir, 'target-usage')), false);
  } finally {
    t.cleanup();
  }
});

test('--clobber over links at every output name (dangling and to a file): each link itself is replaced by a new file, no target is written', async () => {
  const t = tempDir();
  try {
    const victim = join(t.dir, 'victim');
    writeFileSync(victim, PRECIOUS);
    symlinkSync(victim, join(t.dir, 'r_info.json'));
    symlinkSync(victim, join(t.dir, 'r_stderr'));
    symlinkSync(join(t.dir, 'target-out'), join(t.dir, 'r_stdout'));
    symlinkSync(join(t.dir, 'target-usage'), join(t.dir, 'r_usage.jsonl'));
    symlinkSync(join(t.dir, 'target-events'), join(t.dir, 'r_events.jsonl'));
    const r = await runCli(['--clobber', '--fail-time', '0', '-p', 'r_', 'sh', '-c', 'echo out; echo err >&2'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(victim, 'utf8'), PRECIOUS);
    for (const f of ['r_info.json', 'r_stdout', 'r_stderr', 'r_usage.jsonl']) assert.ok(lstatSync(join(t.dir, f)).isFile(), `${f} is a regular file now`);
    assert.equal(existsSync(join(t.dir, 'r_events.jsonl')), false, 'no event: the link was removed, nothing made');
    assert.equal(readFileSync(join(t.dir, 'r_stdout'), 'utf8'), 'out\n');
    for (const f of ['target-out', 'target-usage', 'target-events']) assert.equal(existsSync(join(t.dir, f)), false, f);
  } finally {
    t.cleanup();
  }
});

test('a link planted at events.jsonl while the run goes on (it is created at the first event): refused with a warning, its target untouched', async () => {
  const t = tempDir();
  try {
    const victim = join(t.dir, 'victim');
    writeFileSync(victim, PRECIOUS);
    const go = join(t.dir, 'go');
    const pending = runCli(['--fail-time', '0', '-p', 'r_', 'sh', '-c', `while [ ! -e ${go} ]; do sleep 0.02; done; print-oom-traceback`], {
      cwd: t.dir,
      validateOutputs: false, // r_events.jsonl is the planted link, the victim's text
    });
    while (!existsSync(join(t.dir, 'r_info.json'))) await new Promise((r) => setTimeout(r, 20));
    symlinkSync(victim, join(t.dir, 'r_events.jsonl'));
    writeFileSync(go, '');
    const r = await pending;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^duct: warning: cannot write detector events to .*r_events\.jsonl: EEXIST/m);
    assert.equal(readFileSync(victim, 'utf8'), PRECIOUS);
    assert.equal(readlinkSync(join(t.dir, 'r_events.jsonl')), victim, 'the link is left as planted');
    assert.equal(JSON.parse(readFileSync(join(t.dir, 'r_info.json'), 'utf8')).status, 'finished');
  } finally {
    t.cleanup();
  }
});

test('a link planted at the old predictable temp name of an atomic write (.<name>.<pid>.tmp) is never written through', () => {
  const t = tempDir();
  try {
    const victim = join(t.dir, 'victim');
    writeFileSync(victim, PRECIOUS);
    const planted = join(t.dir, `.r_info.json.${process.pid}.tmp`);
    symlinkSync(victim, planted);
    writeJsonAtomic(join(t.dir, 'r_info.json'), { ok: true });
    writeJsonAtomic(join(t.dir, 'r_info.json'), { ok: 2 });
    assert.equal(readFileSync(victim, 'utf8'), PRECIOUS);
    assert.deepEqual(JSON.parse(readFileSync(join(t.dir, 'r_info.json'), 'utf8')), { ok: 2 });
    assert.deepEqual(readdirSync(t.dir).sort(), [planted.slice(t.dir.length + 1), 'r_info.json', 'victim'].sort(), 'no temp file left');
  } finally {
    t.cleanup();
  }
});

for (const name of ['.duct-index.sqlite', '.duct-index.sqlite-wal', '.duct-index.sqlite-journal']) {
  test(`a link planted at the index file ${name} to a file outside the tree: removed with a warning, the target untouched, the index a 0600 file in the tree`, async () => {
    const t = tempDir();
    try {
      const runs = join(t.dir, 'runs');
      cpSync(join(REPO_ROOT, 'test', 'fixtures', 'runs', 'basic'), runs, { recursive: true });
      const victim = join(t.dir, 'victim');
      writeFileSync(victim, PRECIOUS);
      symlinkSync(victim, join(runs, name));
      const r = await runCli(['ls', '-f', 'json', 'runs'], { cwd: t.dir });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(JSON.parse(r.stdout).length > 0);
      assert.match(r.stderr, new RegExp(`^duct: warning: .*${name.replace(/\./g, '\\.')} was a symbolic link: removed`, 'm'));
      assert.equal(readFileSync(victim, 'utf8'), PRECIOUS);
      const index = join(runs, '.duct-index.sqlite');
      assert.ok(lstatSync(index).isFile());
      assert.equal(statSync(index).mode & 0o777, 0o600);
    } finally {
      t.cleanup();
    }
  });
}
