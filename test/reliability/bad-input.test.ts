import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';

/**
 * Bad input across every subcommand, in one table: each case gets its one-line
 * message (`duct: ...`, naming the input) and its documented exit code, and no
 * file that existed before is changed. Runs are made once, then every case runs
 * against copies' hashes.
 */

let base: { dir: string; cleanup: () => void };
/** the ls index is a cache: rebuilding it is not damage. */
const isCache = (rel: string) => rel.endsWith('.duct-index.sqlite') || rel.includes('.duct-index.sqlite-');

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const rel = relative(dir, p);
      if (statSync(p).isDirectory()) walk(p);
      else if (!isCache(rel)) out.set(rel, createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

before(async () => {
  base = tempDir('duct-bad-input-');
  for (const [p, cmd] of [['runs/a_', ['sh', '-c', 'echo hello; sleep 0.3']], ['runs/b_', ['sh', '-c', 'echo oops >&2; exit 3']]] as const) {
    const r = await runCli(['--fail-time', '0', '--s-i', '0.1', '--r-i', '0.1', '-p', p, ...cmd], { cwd: base.dir });
    assert.ok(r.code === 0 || r.code === 3, r.stderr);
  }
  // a container log tree: a good line, binary garbage, and a line of 100 MB, then a CUDA OOM
  const c = join(base.dir, 'pods', 'ml_train-0_6f1c2d3e', 'trainer');
  mkdirSync(c, { recursive: true });
  const garbage = Buffer.alloc(64 * 1024);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 131 + (i >> 7)) & 0xff;
  writeFileSync(join(c, '0.log'), Buffer.concat([Buffer.from('2024-05-01T10:00:01.000000000Z stdout F hello\n'), garbage, Buffer.from('\n')]));
  const fd = openSync(join(c, '1.log'), 'w');
  writeSync(fd, '2024-05-01T10:00:02.000000000Z stdout F ');
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  for (let i = 0; i < 100; i++) writeSync(fd, chunk);
  writeSync(fd, '\n2024-05-01T10:00:03.000000000Z stderr F torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.50 GiB.\n');
  closeSync(fd);
  writeFileSync(join(base.dir, 'garbage.bin'), garbage);
});

after(() => base.cleanup());

interface Case {
  name: string;
  args: string[];
  code: number;
  /** the first stderr line. */
  message: RegExp;
  /** stderr lines expected in all (1: the message alone); a filter error adds its caret lines. */
  lines?: number;
  /** files to put in place first (relative path → content), removed after. */
  files?: Record<string, string | Buffer>;
  /** environment for duct (undefined removes a variable). */
  env?: NodeJS.ProcessEnv;
  /** ms before a hung duct is killed (default 60 s). */
  timeoutMs?: number;
  /** extra check on the result. */
  check?: (r: Awaited<ReturnType<typeof runCli>>) => void;
}

const RUN = ['--fail-time', '0', '-p', 'new/r_'];

const cases: Case[] = [
  // duct run
  { name: 'run: unknown measurement key lists the valid ones', args: ['--measurements', 'bogus_key', ...RUN, 'true'], code: 2, message: /^duct: unknown measurement 'bogus_key' in --measurements; valid keys: .*proc_rss_total.*; presets: default/ },
  { name: 'run: --sample-interval above --report-interval', args: ['--s-i', '2', '--r-i', '1', ...RUN, 'true'], code: 2, message: /^duct: --report-interval \(1\) must be greater than or equal to --sample-interval \(2\)$/ },
  { name: 'run: --sample-interval 0', args: ['--s-i', '0', ...RUN, 'true'], code: 2, message: /^duct: --sample-interval must be greater than 0 \(got 0\)$/ },
  { name: 'run: a --sample-interval that is not a number is named as given', args: ['--s-i', 'abc', ...RUN, 'true'], code: 2, message: /^duct: invalid value 'abc' for --sample-interval: expected a number$/ },
  { name: 'run: a bad choice is one line naming the valid ones', args: ['--cgroup', 'bogus', ...RUN, 'true'], code: 2, message: /^duct: .*bogus.*reader.*isolate/ },
  { name: 'run: a prefix directory that cannot be created (a file is in the way)', args: ['--fail-time', '0', '-p', 'runs/a_info.json/x_', 'true'], code: 1, message: /^duct: cannot create output directory .*runs\/a_info\.json/ },
  { name: 'run: a prefix directory under /proc cannot be created', args: ['--fail-time', '0', '-p', '/proc/duct-no-such/r_', 'true'], timeoutMs: 20_000, code: 1, message: /^duct: cannot create output directory \/proc\/duct-no-such/ },
  { name: 'run: existing output files are not overwritten without --clobber', args: ['--fail-time', '0', '-p', 'runs/a_', 'true'], code: 1, message: /^duct: .*runs\/a_.*--clobber/ },
  { name: 'run: a command that does not exist exits 127 like a shell', args: [...RUN, 'no-such-command-xyz'], code: 127, message: /^duct: no-such-command-xyz: command not found$/ },
  {
    name: 'run: a .env value that is not a number names the file',
    files: { '.duct/.env': 'DUCT_SAMPLE_INTERVAL=abc\n' },
    env: { DUCT_CONFIG_PATHS: undefined },
    args: [...RUN, 'true'], code: 2, message: /^duct: invalid value 'abc' for DUCT_SAMPLE_INTERVAL in \.duct\/\.env: expected a number$/,
  },
  {
    name: 'run: a .env file of binary garbage is skipped with one warning, and the run goes on',
    env: { DUCT_CONFIG_PATHS: undefined },
    files: { '.duct/.env': Buffer.from([0x00, 0xff, 0x3d, 0x0a, 0xc3, 0x28, 0x1b, 0x5b, 0x32, 0x4a, 0x0a, 0x3d, 0x3d]) },
    args: ['-l', 'WARNING', '--fail-time', '0', '-p', 'envrun/r_', 'true'], code: 0, message: /^duct: warning: skipping malformed config file \.duct\/\.env \(line \d+ is not KEY=VALUE\)$/,
    check: () => assert.ok(existsSync(join(base.dir, 'envrun/r_info.json'))),
  },
  // duct ls
  { name: 'ls: a filter syntax error points at its column', args: ['ls', '--filter', 'exit_code ==', 'runs'], code: 2, lines: 3, message: /^duct: --filter, column \d+: expected a field or a value after '=='/ },
  { name: 'ls: an unknown unit in a filter lists the valid ones', args: ['ls', '--filter', 'cgroup_mem_peak > 3GiBx', 'runs'], code: 2, lines: 3, message: /^duct: --filter, column \d+: unknown unit 'GiBx' \(valid: B, KiB/ },
  { name: 'ls: an unknown --sort field', args: ['ls', '--sort', 'nosuch', 'runs'], code: 2, message: /^duct: --sort: unknown field 'nosuch'/ },
  { name: 'ls: an unknown --fields field', args: ['ls', 'runs', '-F', 'nosuch'], code: 2, message: /^duct: --fields: unknown field 'nosuch'/ },
  {
    name: 'ls: a corrupt SQLite index is rebuilt with one warning, and the runs are listed',
    files: { 'runs/.duct-index.sqlite': Buffer.from('SQLite format 3\0 but not really'.repeat(200)) },
    args: ['ls', '-f', 'json', 'runs'], code: 0, message: /^duct: warning: rebuilt the index .*\.duct-index\.sqlite: unreadable/,
    check: (r) => assert.equal(JSON.parse(r.stdout).length, 2),
  },
  {
    name: 'ls: a torn info.json is skipped with a warning, the rest is listed',
    files: { 'runs/t_info.json': '{"schema_version": "1.0.0", "command": "trunc' },
    args: ['ls', '-f', 'json', 'runs'], code: 0, message: /^duct: warning: t_info\.json: not a valid JSON object \(torn or partial write\?\)/,
    check: (r) => assert.equal(JSON.parse(r.stdout).length, 2),
  },
  // duct pp / plot / validate
  { name: 'pp: a torn info.json cannot be printed', files: { 'runs/t_info.json': '{"command": "trunc' }, args: ['pp', 'runs/t_info.json'], code: 1, message: /^duct: runs\/t_info\.json is not valid JSON .*a torn info\.json cannot be printed$/ },
  {
    name: 'pp: a malformed usage line in the middle is skipped with a warning',
    files: { 'runs/m_usage.jsonl': '{"timestamp":"2026-01-01T00:00:00+00:00","num_samples":1,"measurements":{"proc_rss_total":1024}}\nnot json at all\n{"timestamp":"2026-01-01T00:01:00+00:00","num_samples":1,"measurements":{"proc_rss_total":2048}}\n' },
    args: ['pp', 'runs/m_usage.jsonl'], code: 0, message: /^duct: warning: .*line 2/,
    check: (r) => assert.match(r.stdout, /2\.00 KiB|2048/),
  },
  { name: 'pp: a file that does not exist', args: ['pp', 'runs/none_info.json'], code: 1, message: /^duct: cannot read runs\/none_info\.json: ENOENT/ },
  { name: 'plot: a run that does not exist', args: ['plot', 'runs/none_'], code: 1, message: /^duct: no run at runs\/none_/ },
  { name: 'validate: a prefix with no run', args: ['validate', 'runs/none_'], code: 2, message: /^duct: no run at runs\/none_/ },
  // duct detect (container logs and plain files)
  {
    name: 'detect: binary garbage in a CRI log is skipped as malformed lines, a 100 MB line is capped, the CUDA OOM after both is found',
    args: ['detect', 'pods/*/*/*.log'], code: 0, lines: 11, message: /^duct: .*0\.log: malformed line at byte \d+ \(.*\), skipped$/,
    check: (r) => {
      const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(events.map((e) => e.kind), ['cuda_oom']);
      assert.match(r.stderr, /malformed lines in all, skipped \(the first 10 are named above\)/);
    },
  },
  { name: 'detect: a binary file read as text finds nothing and fails nothing', args: ['detect', 'garbage.bin'], code: 0, lines: 0, message: /^$/, check: (r) => assert.equal(r.stdout, '') },
  { name: 'detect: a glob matching nothing', args: ['detect', 'nowhere/*.log'], code: 1, message: /^duct: no file matches nowhere\/\*\.log; give container log files or a glob/ },
  { name: 'detect: a bad --start-at', args: ['detect', '--start-at', 'middle', 'pods/*/*/*.log'], code: 2, message: /^duct: .*middle.*beginning, end/ },
  // duct recommend
  { name: 'recommend: a path that does not exist', args: ['recommend', 'nowhere'], code: 1, message: /^duct: no such file or directory: nowhere/ },
  { name: 'recommend: a bad --headroom', args: ['recommend', '--headroom', 'lots', 'runs'], code: 2, message: /^duct: invalid --headroom 'lots'/ },
  // the crashes and hangs of issue 18, each refused before anything runs
  {
    name: 'run: a --summary-format width too large to render is refused before the command runs (it used to fail after, exit 1)',
    args: ['--summary-format', '{exit_code:>999999999}', ...RUN, 'true'], code: 2,
    message: /^duct: invalid spec \{exit_code:>999999999\} in --summary-format: a width is at most 1000 and a precision at most 100/,
  },
  { name: 'run: a --summary-format precision past toFixed', args: ['--summary-format', '{wall_clock_time:.101f}', ...RUN, 'true'], code: 2, message: /^duct: invalid spec \{wall_clock_time:\.101f\}/ },
  {
    name: 'run: a 5,000-character --output-prefix (ENAMETOOLONG in cleanup)',
    args: ['--fail-time', '0', '-p', `new/${'a'.repeat(5000)}`, 'true'], code: 2,
    message: /^duct: invalid --output-prefix: the file name a{40}\.\.\. is 5009 bytes, more than the 255 a name can be$/,
  },
  { name: 'run: --sample-interval 1e-300', args: ['--sample-interval', '1e-300', ...RUN, 'true'], code: 2, message: /^duct: --sample-interval must be at least 0\.001 seconds/ },
  { name: "run: --memory-limit ''", args: ['--cgroup', 'isolate', '--memory-limit', '', ...RUN, 'true'], code: 2, message: /^duct: empty value for --memory-limit: give bytes or a number with KiB, MiB or GiB/ },
  {
    name: 'ls: --filter with 20,000 ( (stack overflow before): a depth limit with a column',
    args: ['ls', '--filter', '('.repeat(20_000), 'runs'], code: 2, lines: 3, message: /^duct: --filter, column 101: nested deeper than 100 levels of parentheses and 'not'$/,
  },
  { name: 'ls: --filter with 20,000 not', args: ['ls', '--filter', `${'not '.repeat(20_000)}exit_code`, 'runs'], code: 2, lines: 3, message: /^duct: --filter, column 401: nested deeper than 100 levels/ },
  { name: 'ls: --filter with 2,000 and', args: ['ls', '--filter', `exit_code${' and exit_code'.repeat(2_000)}`, 'runs'], code: 2, lines: 3, message: /^duct: --filter, column \d+: more than 1000 terms joined by 'and'\/'or'$/ },
  {
    name: 'ls: -F prefix DIR takes DIR as a path, not as a field',
    args: ['ls', '-F', 'prefix', 'runs', '-f', 'json'], code: 0, lines: 0, message: /^$/,
    check: (r) => assert.deepEqual(JSON.parse(r.stdout).map((x: { prefix: string }) => x.prefix), ['runs/a_', 'runs/b_']),
  },
  { name: 'pp: an info.json nested 100,000 deep (stack overflow before)', files: { 'runs/deep_info.json': `${'['.repeat(100_000)}${']'.repeat(100_000)}` }, args: ['pp', 'runs/deep_info.json'], code: 1, message: /^duct: runs\/deep_info\.json is nested deeper than 64 levels: not a file duct writes/ },
  {
    name: 'pp: a file with no JSON line at all exits nonzero (it exited 0)',
    files: { 'runs/g_usage.jsonl': 'this is not json\n' }, args: ['pp', 'runs/g_usage.jsonl'], code: 1, lines: 2, message: /^duct: warning: g_usage\.jsonl: last line 1 is incomplete/,
    check: (r) => assert.match(r.stderr, /^duct: runs\/g_usage\.jsonl holds no JSON record/m),
  },
  {
    name: 'detect: --state-dir under /proc (Node\'s recursive mkdir spun at 100% CPU)',
    args: ['detect', '--state-dir', '/proc/duct-x/y', 'pods/*/*/*.log'], code: 1, timeoutMs: 20_000, message: /^duct: cannot create --state-dir \/proc\/duct-x\/y: ENOENT/,
  },
];

for (const c of cases) {
  test(`bad input: ${c.name}`, async () => {
    const created = Object.keys(c.files ?? {});
    for (const [rel, content] of Object.entries(c.files ?? {})) {
      mkdirSync(join(base.dir, rel, '..'), { recursive: true });
      writeFileSync(join(base.dir, rel), content);
    }
    const before = snapshot(base.dir);
    try {
      const r = await runCli(c.args, { cwd: base.dir, timeoutMs: c.timeoutMs ?? 60_000, ...(c.env ? { env: c.env } : {}) });
      assert.notEqual(r.signal, 'SIGKILL', `duct hung and was killed after ${c.timeoutMs ?? 60_000} ms`);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      assert.equal(r.code, c.code, r.stderr);
      assert.match(lines[0] ?? '', c.message, r.stderr);
      assert.equal(lines.length, c.lines ?? 1, `stderr has ${c.lines ?? 1} line(s):\n${r.stderr}`);
      c.check?.(r);
      // no file that existed is changed or removed
      const afterwards = snapshot(base.dir);
      for (const [rel, hash] of before) assert.equal(afterwards.get(rel), hash, `${rel} unchanged`);
      // a refused run creates nothing
      if (c.code !== 0) assert.equal(existsSync(join(base.dir, 'new')), false, 'nothing created for a refused run');
    } finally {
      for (const rel of created) rmSync(join(base.dir, rel), { force: true });
      rmSync(join(base.dir, 'envrun'), { recursive: true, force: true });
      rmSync(join(base.dir, 'new'), { recursive: true, force: true });
    }
  });
}

test('bad input: a torn usage.jsonl line is skipped by every reader, and the file is left as it was', async () => {
  const usage = join(base.dir, 'runs', 'a_usage.jsonl');
  const whole = readFileSync(usage);
  appendFileSync(usage, '{"timestamp":"2026-01-01T00:00:00+00:00","num_sa');
  const torn = readFileSync(usage);
  try {
    for (const args of [['ls', '-f', 'json', 'runs'], ['pp', 'runs/a_usage.jsonl'], ['validate', 'runs/a_'], ['plot', '-o', 'a.svg', 'runs/a_']]) {
      const r = await runCli(args, { cwd: base.dir });
      assert.equal(r.code, 0, `${args[0]}: ${r.stderr}`);
      if (args[0] !== 'ls') assert.match(r.stdout + r.stderr, /torn|incomplete/i, `${args[0]} warns`);
    }
    assert.deepEqual(readFileSync(usage), torn, 'readers never repair or truncate a run file');
  } finally {
    writeFileSync(usage, whole);
    rmSync(join(base.dir, 'a.svg'), { force: true });
  }
});
