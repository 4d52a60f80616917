import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { blocksOnWrite, writeAll } from '../../src/run/fd-write.js';
import { StreamTee } from '../../src/run/tee.js';
import { DUCT_BIN, FIXTURE_BIN, inTempDir, runCli } from '../helpers/cli.js';

/** A Writable that records what it was given. */
function recorder(): Writable & { got: Buffer[] } {
  const got: Buffer[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      got.push(chunk);
      cb();
    },
  }) as Writable & { got: Buffer[] };
  w.got = got;
  return w;
}

test('blocksOnWrite: a file and /dev/null are written directly, a FIFO goes through the stream', async () => {
  await inTempDir(async (dir) => {
    const file = openSync(join(dir, 'f'), 'w');
    const devnull = openSync('/dev/null', 'w');
    assert.equal(spawnSync('mkfifo', [join(dir, 'fifo')]).status, 0);
    const fifo = openSync(join(dir, 'fifo'), constants.O_RDWR | constants.O_NONBLOCK);
    try {
      assert.equal(blocksOnWrite(file), true);
      assert.equal(blocksOnWrite(devnull), true);
      assert.equal(blocksOnWrite(fifo), false);
      assert.equal(blocksOnWrite(987_654), false, 'a closed descriptor');
      // a full non-blocking pipe: writeAll says how far it got instead of throwing EAGAIN
      const big = Buffer.alloc(4 << 20, 'x');
      const at = writeAll(fifo, big);
      assert.ok(at > 0 && at < big.length, String(at));
      assert.equal(writeAll(file, big), big.length);
    } finally {
      for (const fd of [file, devnull, fifo]) closeSync(fd);
    }
  });
});

test('the tee writes each chunk straight to a terminal file descriptor and the capture file, never making the stream', async () => {
  await inTempDir(async (dir) => {
    const source = new PassThrough();
    const terminalFd = openSync(join(dir, 'terminal'), 'w');
    let streamsMade = 0;
    const lines: string[] = [];
    const tee = new StreamTee({
      source,
      terminal: { fd: terminalFd, stream: () => (streamsMade++, recorder()) },
      capturePath: join(dir, 'captured'),
      onLine: (text) => lines.push(text),
      onWriteError: (m) => assert.fail(m),
    });
    source.write('one\ntw');
    source.write(Buffer.from([0x6f, 0x0a, 0xe2, 0x82])); // "o\n" and half of "€"
    source.end(Buffer.from([0xac, 0x0a]));
    await tee.done;
    closeSync(terminalFd);
    const expected = Buffer.from('one\ntwo\n€\n');
    assert.deepEqual(readFileSync(join(dir, 'terminal')), expected);
    assert.deepEqual(readFileSync(join(dir, 'captured')), expected);
    assert.deepEqual(lines, ['one', 'two', '€']);
    assert.equal(streamsMade, 0);
  });
});

test('without a descriptor that blocks, the tee passes chunks through the stream as they come, uncopied', async () => {
  const source = new PassThrough();
  const out = recorder();
  const tee = new StreamTee({ source, terminal: { fd: null, stream: () => out }, capturePath: null, onLine: null, onWriteError: (m) => assert.fail(m) });
  const chunks = [Buffer.from('a'), Buffer.from('bc'), Buffer.from('def')];
  for (const c of chunks) source.write(c);
  source.end();
  await tee.done;
  assert.deepEqual(Buffer.concat(out.got).toString(), 'abcdef');
  assert.equal(out.got.length, 3, 'one write per chunk, no batching');
});

test('a capture file that cannot be opened is reported once; output still passes through', async () => {
  await inTempDir(async (dir) => {
    const source = new PassThrough();
    const out = recorder();
    const errors: string[] = [];
    const tee = new StreamTee({ source, terminal: { fd: null, stream: () => out }, capturePath: join(dir, 'missing', 'x'), onLine: null, onWriteError: (m) => errors.push(m) });
    source.end('kept\n');
    await tee.done;
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /cannot write captured output to .*missing\/x: ENOENT/);
    assert.equal(Buffer.concat(out.got).toString(), 'kept\n');
  });
});

/** Run duct with its stdout and stderr on files; returns what each file got. */
function ductToFiles(dir: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const outFd = openSync(join(dir, 'duct.out'), 'w');
  const errFd = openSync(join(dir, 'duct.err'), 'w');
  const env = { ...process.env, XDG_CONFIG_HOME: join(dir, '.xdg-none'), DUCT_CONFIG_PATHS: '', PATH: `${FIXTURE_BIN}:${process.env.PATH ?? ''}` };
  const r = spawnSync(process.execPath, [DUCT_BIN, ...args], { cwd: dir, env, stdio: ['ignore', outFd, errFd], timeout: 60_000 });
  closeSync(outFd);
  closeSync(errFd);
  return { code: r.status, stdout: readFileSync(join(dir, 'duct.out'), 'utf8'), stderr: readFileSync(join(dir, 'duct.err'), 'utf8') };
}

test('duct on files: the command writes through duct (captured, watched) with defaults, and straight to them with -c none --detectors off', async () => {
  await inTempDir(async (dir) => {
    mkdirSync(join(dir, 'runs'));
    const script = 'readlink /proc/self/fd/1; echo to-stderr >&2';
    const piped = ductToFiles(dir, ['-q', '-p', 'runs/a_', '--', 'sh', '-c', script]);
    assert.equal(piped.code, 0, piped.stderr);
    assert.match(piped.stdout, /^(pipe|socket):\[\d+\]\n$/, 'through duct');
    assert.equal(readFileSync(join(dir, 'runs', 'a_stdout'), 'utf8'), piped.stdout);
    assert.equal(piped.stderr, 'to-stderr\n');
    const direct = ductToFiles(dir, ['-q', '-p', 'runs/b_', '-c', 'none', '--detectors', 'off', '--', 'sh', '-c', script]);
    assert.equal(direct.code, 0, direct.stderr);
    assert.equal(direct.stdout, `${join(dir, 'duct.out')}\n`, "the command's stdout is duct's own file");
    assert.equal(direct.stderr, 'to-stderr\n');
    const info = JSON.parse(readFileSync(join(dir, 'runs', 'b_info.json'), 'utf8')) as { exit_code: number; output_paths: { stdout: unknown } };
    assert.equal(info.exit_code, 0);
    assert.equal(info.output_paths.stdout, null);
  });
});

test('-c none --detectors off -o stdout: the command gets duct\'s stdout pipe still blocking (duct never made it non-blocking), its stderr /dev/null', async () => {
  await inTempDir(async (dir) => {
    // O_NONBLOCK (04000 octal) in the flags of the command's own stdout
    const script = "awk '/^flags/ {print $2}' /proc/self/fdinfo/1; readlink /proc/self/fd/2";
    const r = await runCli(['-p', 'r_', '-c', 'none', '--detectors', 'off', '-o', 'stdout', '--', 'sh', '-c', script], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const [flags, stderrTarget] = r.stdout.trim().split('\n');
    assert.equal(parseInt(flags!, 8) & 0o4000, 0, `flags ${flags}`);
    assert.equal(stderrTarget, '/dev/null');
    assert.match(r.stderr, /^duct: duct .* is executing sh -c/m, "duct's own messages still reach its stderr");
  });
});

test("duct's summary comes after all the command's stderr it passed through, even behind a slow pipe", async () => {
  await inTempDir(async (dir) => {
    // 3 MB on stderr: more than a pipe holds, so some of it waits in duct's stream when the command exits
    const script = "head -c 3000000 /dev/zero | tr '\\0' x >&2; echo >&2";
    const child = spawn(process.execPath, [DUCT_BIN, '-p', 'o_', '--', 'sh', '-c', script], {
      cwd: dir,
      env: { ...process.env, XDG_CONFIG_HOME: join(dir, '.xdg-none'), DUCT_CONFIG_PATHS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const parts: Buffer[] = [];
    child.stderr.pause();
    // a slow reader: the pipe stays full while the command writes
    setTimeout(() => child.stderr.on('data', (b: Buffer) => parts.push(b)).resume(), 300);
    await new Promise((r) => child.on('close', r));
    const err = Buffer.concat(parts).toString();
    const output = err.indexOf(`${'x'.repeat(3_000_000)}\n`);
    assert.ok(output > err.indexOf('is executing'), `every byte passed through, after duct's first message: ${err.slice(0, 200)}`);
    assert.ok(output + 3_000_000 < err.indexOf('Summary:'), err.slice(-300));
  });
});
