import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isMalformed, type LogChunk } from '../../src/containerlogs/chunk.js';
import { FINGERPRINT_BYTES, readGzHead } from '../../src/containerlogs/fingerprint.js';
import { parseCriLine } from '../../src/containerlogs/cri-line.js';
import { parseDockerLine } from '../../src/containerlogs/docker-line.js';
import { parsePodLogPath, parseRotatedName } from '../../src/containerlogs/pod-path.js';
import { sniffFormat } from '../../src/containerlogs/sniff.js';
import { logTimeMs, logTimeNanosText, parseLogTime } from '../../src/containerlogs/timestamp.js';
import { utf8SafeEnd } from '../../src/containerlogs/utf8-cut.js';

const timeCases: [string, string | null][] = [
  ['2024-05-01T10:00:01.123456789Z', '1714557601123456789'],
  ['2024-05-01T10:00:01.1Z', '1714557601100000000'],
  ['2024-05-01T10:00:01Z', '1714557601000000000'],
  ['2024-05-01T10:00:01.123456789123Z', '1714557601123456789'],
  ['2024-05-01T12:00:01.5+02:00', '1714557601500000000'],
  ['2024-05-01T08:30:01.000000001-01:30', '1714557601000000001'],
  ['2024-05-01T12:00:01+0200', '1714557601000000000'],
  ['2024-05-01 10:00:01.25z', '1714557601250000000'],
  ['2024-05-01T10:00:01.Z', null],
  ['2024-05-01T10:00:01', null],
  ['2024-13-01T10:00:01Z', null],
  ['2024-05-01T10:00:01.12Zx', null],
  ['not a time at all, no', null],
];

for (const [text, nanos] of timeCases) {
  test(`parseLogTime(${JSON.stringify(text)}) → ${nanos ?? 'null'}`, () => {
    const t = parseLogTime(text);
    if (nanos === null) assert.equal(t, null);
    else {
      assert.ok(t);
      assert.equal(logTimeNanosText(t), nanos);
      assert.equal(logTimeMs(t), Number(nanos.slice(0, -6)));
    }
  });
}

function cri(line: string): ReturnType<typeof parseCriLine> {
  const b = Buffer.from(line);
  return parseCriLine(b, 0, b.length, 0);
}

function body(c: ReturnType<typeof parseCriLine>): string {
  assert.ok(!isMalformed(c));
  return (c as LogChunk).body.toString('utf8', (c as LogChunk).bodyStart, (c as LogChunk).bodyEnd);
}

test('parseCriLine keeps the body untrimmed, reads the tag and stream', () => {
  const c = cri('2024-05-01T10:00:01.1Z stderr P   two spaces lead, tab trails\t ');
  assert.equal(body(c), '  two spaces lead, tab trails\t ');
  assert.equal((c as LogChunk).stream, 'stderr');
  assert.equal((c as LogChunk).partial, true);
  assert.equal((c as LogChunk).timeText, '2024-05-01T10:00:01.1Z');
  assert.equal(body(cri('2024-05-01T10:00:01.1Z stdout F ')), '');
  assert.equal(body(cri('2024-05-01T10:00:01.1Z stdout F')), '');
  assert.equal(body(cri('2024-05-01T10:00:01.1Z stdout F a\r')), 'a\r');
});

const badCri: [string, string][] = [
  ['', 'no timestamp field'],
  ['2024-05-01T10:00:01.1Z', 'no timestamp field'],
  ['2024-05-01T10:00:01.1Z stdin F x', 'stream is not stdout or stderr'],
  ['2024-05-01T10:00:01.1Z stdout X x', 'tag is not P or F'],
  ['2024-05-01T10:00:01.1Z stdout Fx', 'no space after the P/F tag'],
  [' stdout F x', 'no timestamp field'],
];
for (const [line, reason] of badCri) {
  test(`parseCriLine(${JSON.stringify(line)}) is malformed: ${reason}`, () => {
    assert.deepEqual(cri(line), { malformed: reason });
  });
}

test('parseDockerLine: a trailing \\n ends a message, its absence makes a partial', () => {
  const whole = Buffer.from('{"log":"  hi \\u00e9\\n","stream":"stdout","time":"2024-05-01T10:00:01.000000001Z"}');
  const w = parseDockerLine(whole, 0, whole.length, 0) as LogChunk;
  assert.equal(w.partial, false);
  assert.equal(w.body.toString('utf8', w.bodyStart, w.bodyEnd), '  hi é');
  const part = Buffer.from('{"log":"abc","stream":"stderr","time":"2024-05-01T10:00:01Z"}');
  const p = parseDockerLine(part, 0, part.length, 0) as LogChunk;
  assert.equal(p.partial, true);
  assert.equal(p.stream, 'stderr');
  assert.deepEqual(parseDockerLine(Buffer.from('{"log":1}'), 0, 9, 0), { malformed: 'no "log" string' });
  assert.deepEqual(parseDockerLine(Buffer.from('{"log'), 0, 5, 0), { malformed: 'not JSON' });
  assert.deepEqual(parseDockerLine(whole, 0, whole.length, 3), { malformed: 'JSON line longer than the record cap' });
});

test('parsePodLogPath reads namespace, pod, uid, container and restart count from live and rotated names', () => {
  const meta = { namespace: 'kube-system', pod: 'coredns-5d78c9869d-abcde', pod_uid: '0d3e-11', container: 'coredns', restart_count: 3 };
  assert.deepEqual(parsePodLogPath('/var/log/pods/kube-system_coredns-5d78c9869d-abcde_0d3e-11/coredns/3.log'), meta);
  assert.deepEqual(parsePodLogPath('/var/log/pods/kube-system_coredns-5d78c9869d-abcde_0d3e-11/coredns/3.log.20240501-100000.gz'), meta);
  assert.equal(parsePodLogPath('/var/log/pods/bad-dir/coredns/3.log'), null);
  assert.equal(parsePodLogPath('/var/log/pods/a_b_c/coredns/app.log'), null);
  assert.deepEqual(parseRotatedName('12.log.20240501-100000'), { restart: 12, stamp: '20240501-100000', gz: false });
  assert.equal(parseRotatedName('0.log.20240501-100000.gz.tmp'), null);
});

test('utf8SafeEnd never cuts inside a multi-byte character', () => {
  const b = Buffer.from('aé€😀');
  // a=1 byte, é=2, €=3, 😀=4: boundaries at 1, 3, 6, 10
  const ends = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((e) => utf8SafeEnd(b, 0, e));
  assert.deepEqual(ends, [1, 1, 3, 3, 3, 6, 6, 6, 6, 10]);
});

test('sniffFormat tells CRI, Docker json-file and plain text apart by the first line', () => {
  assert.equal(sniffFormat(Buffer.from('2024-05-01T10:00:01.1Z stdout F hi\n')), 'cri');
  assert.equal(sniffFormat(Buffer.from('{"log":"hi\\n","stream":"stdout","time":"2024-05-01T10:00:01Z"}\n')), 'docker');
  assert.equal(sniffFormat(Buffer.from(`{"log":"${'x'.repeat(2000)}`)), 'docker');
  assert.equal(sniffFormat(Buffer.from('Epoch 1 step 3 loss 0.2\n')), null);
  assert.equal(sniffFormat(Buffer.from('{"msg":"structured app log"}\n')), null);
});

test('epoch nanoseconds text is exact on both sides of 1970', () => {
  assert.equal(logTimeNanosText({ epochSeconds: 1714557601, nanos: 5 }), '1714557601000000005');
  assert.equal(logTimeNanosText({ epochSeconds: 0, nanos: 5 }), '5');
  assert.equal(logTimeNanosText({ epochSeconds: -1, nanos: 500_000_000 }), '-500000000');
});

test('readGzHead recovers the first KiB of the decompressed content from a prefix of a large .gz', () => {
  const dir = mkdtempSync(join(tmpdir(), 'duct-gzhead-'));
  try {
    const content = randomBytes(300_000).toString('base64'); // ~400 KB that compresses poorly: only a prefix is read
    writeFileSync(join(dir, 'x.gz'), gzipSync(content));
    const fd = openSync(join(dir, 'x.gz'), 'r');
    try {
      const head = readGzHead(fd, fstatSync(fd).size);
      assert.equal(head.toString(), content.slice(0, FINGERPRINT_BYTES));
    } finally {
      closeSync(fd);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
