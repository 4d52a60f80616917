import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseCriLine } from '../../src/containerlogs/cri-line.js';
import { parseDockerLine } from '../../src/containerlogs/docker-line.js';
import { isMalformed, type ParsedLine } from '../../src/containerlogs/chunk.js';
import { parseLogTime } from '../../src/containerlogs/timestamp.js';
import { parsePs } from '../../src/collectors/ps.js';
import { parsePsDuration } from '../../src/collectors/ps-time.js';
import { parseProcStat, parseUptime } from '../../src/collectors/proc-stat.js';
import { parseProcStatus, parseSmapsRollup } from '../../src/collectors/proc-status.js';
import { parseCmdline, parseProcIo } from '../../src/collectors/proc-io.js';
import { parsePsSessions } from '../../src/collectors/process-tree.js';
import { parseCount, parseFlatKeyed, parseLimit } from '../../src/collectors/cgroup-files.js';
import { compileFilter, type FieldCatalog } from '../../src/view/filter/evaluate.js';
import { FilterError } from '../../src/view/filter/filter-error.js';
import { findMalformedLine, loadEnvFiles } from '../../src/config/env-files.js';
import { parseUsageText } from '../../src/files/run-reader.js';
import type { Unit } from '../../src/aggregation/types.js';

/**
 * Property-based fuzzing of every parser that reads text duct does not control.
 * A fixed seed and a bounded number of runs per property keep the file to a few
 * seconds and any failure reproducible (fast-check prints the counterexample).
 */
const RUNS = { seed: 20261122, numRuns: 300 } as const;

/** Any text, including control characters, lone surrogates and NUL. */
const anyText = fc.string({ unit: 'binary', maxLength: 300 });
/** Text built from the pieces a format is made of, so the fuzzer gets past the first check. */
const piecesOf = (pieces: string[], maxLength = 40) => fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 })), { maxLength }).map((a) => a.join(''));

/** A collector parser may reject garbage only with its own plain Error naming the format, never a TypeError/RangeError from a bug. */
function onlyFormatErrors(fn: () => unknown, named: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error, `threw a non-Error: ${String(e)}`);
    assert.equal(e.constructor, Error, `threw ${e.constructor.name}: ${e.message}`);
    assert.match(e.message, named);
  }
}

function assertChunkShape(p: ParsedLine, length: number): void {
  if (isMalformed(p)) {
    assert.equal(typeof p.malformed, 'string');
    return;
  }
  assert.ok(p.stream === 'stdout' || p.stream === 'stderr');
  assert.equal(typeof p.partial, 'boolean');
  assert.ok(p.bodyStart >= 0 && p.bodyStart <= p.bodyEnd && p.bodyEnd <= Math.max(length, p.body.length), `body [${p.bodyStart}, ${p.bodyEnd})`);
}

test('fuzz: the CRI line parser never throws, and a chunk always lies inside the line', () => {
  let chunks = 0;
  const criLike = fc
    .tuple(
      fc.constantFrom('2024-05-01T10:00:01.123456789Z', '2024-05-01T10:00:01Z', '2024-05-01T10:00:01.5+02:00', '2024-13-01T99:00:01Z', ''),
      fc.constantFrom('stdout', 'stderr', 'stdin', ''),
      fc.constantFrom('P', 'F', 'X', ''),
      fc.oneof(anyText, fc.constant('')),
      fc.constantFrom(' ', '  ', '\t'),
    )
    .map(([time, stream, tag, body, sep]) => Buffer.from([time, stream, tag, body].join(sep), 'utf8'));
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), criLike), fc.nat(5), fc.nat(3), (buf, trimStart, dropped) => {
      const start = Math.min(trimStart, buf.length);
      const p = parseCriLine(buf, start, buf.length, dropped);
      if (!isMalformed(p)) chunks++;
      assertChunkShape(p, buf.length);
    }),
    RUNS,
  );
  assert.ok(chunks > 5, `${chunks} inputs parsed as chunks: the generator gets past the header`);
});

test('fuzz: the Docker json-file line parser never throws, whatever the JSON holds', () => {
  const jsonish = fc.oneof(
    fc.json().map((j) => Buffer.from(j)),
    fc.record({ log: fc.oneof(anyText, fc.integer()), stream: fc.constantFrom('stdout', 'stderr', 'x', 1), time: fc.oneof(anyText, fc.constant(null)) }, { requiredKeys: [] }).map((o) => Buffer.from(JSON.stringify(o))),
    fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a)),
  );
  fc.assert(
    fc.property(jsonish, fc.nat(2), (buf, dropped) => assertChunkShape(parseDockerLine(buf, 0, buf.length, dropped), buf.length)),
    RUNS,
  );
});

test('fuzz: container log timestamps parse to a finite time or null, never throw', () => {
  const timeLike = piecesOf(['2024', '-05', '-01', 'T', '10:00:01', '.', '123456789', 'Z', '+02:00', '-', ':', '9', '99']);
  fc.assert(
    fc.property(fc.oneof(anyText, timeLike), (s) => {
      const t = parseLogTime(s);
      if (t !== null) assert.equal(typeof t, 'object');
    }),
    RUNS,
  );
});

test('fuzz: ps output, ps durations and ps session rows: only "not a ps duration" may escape', () => {
  const psRow = fc
    .tuple(fc.nat(99999), fc.nat(), fc.nat(), fc.constantFrom('0.0', '12.5', '1e3', '.'), fc.constantFrom('00:00:01', '1-02:03:04', '1:2:3:4', 'x', '-', '01:02.50'), fc.constantFrom('05:00', '1-00:00:00', '??', ''), fc.constantFrom('S', 'R+', 'Z'), anyText)
    .map((f) => ` ${f.join(' ')}`);
  fc.assert(
    fc.property(fc.array(fc.oneof(psRow, anyText), { maxLength: 6 }), (rows) => {
      const text = rows.join('\n');
      onlyFormatErrors(() => {
        for (const [pid, fields] of parsePs(text)) {
          assert.ok(Number.isInteger(pid));
          assert.equal(typeof fields.state, 'string');
        }
      }, /^not a ps duration/);
      for (const r of parsePsSessions(text)) assert.ok(Number.isInteger(r.pid) && Number.isInteger(r.session));
    }),
    RUNS,
  );
  fc.assert(fc.property(fc.oneof(anyText, piecesOf(['1', '-', ':', '.', '59', '00'])), (s) => onlyFormatErrors(() => assert.ok(Number.isFinite(parsePsDuration(s))), /^not a ps duration/)), RUNS);
});

test('fuzz: /proc parsers (stat, status, smaps_rollup, io, cmdline, uptime): only their own format errors escape', () => {
  const statLike = fc
    .tuple(fc.nat(), anyText, fc.array(fc.oneof(fc.nat().map(String), fc.constantFrom('S', 'R', '-1', 'x', '')), { maxLength: 30 }))
    .map(([pid, comm, rest]) => `${pid} (${comm}) ${rest.join(' ')}\n`);
  fc.assert(
    fc.property(fc.oneof(statLike, anyText), (s) =>
      onlyFormatErrors(() => {
        const st = parseProcStat(s);
        for (const v of [st.ppid, st.session, st.utimeTicks, st.stimeTicks, st.starttimeTicks, st.rssPages]) assert.ok(Number.isFinite(v));
      }, /\/proc\/<pid>\/stat/),
    ),
    RUNS,
  );
  const keyed = piecesOf(['VmRSS:', 'VmHWM:', 'Pss:', 'Private_Clean:', 'Private_Dirty:', 'rchar:', 'wchar:', 'read_bytes:', 'write_bytes:', ' ', '\t', '123', 'kB', '\n', 'x'], 30);
  fc.assert(
    fc.property(fc.oneof(keyed, anyText), (s) => {
      onlyFormatErrors(() => parseProcStatus(s), /./);
      onlyFormatErrors(() => parseSmapsRollup(s), /smaps_rollup/);
      onlyFormatErrors(() => parseProcIo(s), /\/proc\/<pid>\/io/);
      assert.equal(typeof parseCmdline(s), 'string');
      onlyFormatErrors(() => parseUptime(s), /./);
    }),
    RUNS,
  );
});

test('fuzz: cgroup file parsers (flat keyed, limit, counter): only their own format errors escape', () => {
  const cg = piecesOf(['oom_kill', 'usage_usec', 'max', ' ', '\n', '9223372036854771712', '-1', '1e400', '12'], 20);
  fc.assert(
    fc.property(fc.oneof(cg, anyText), (s) => {
      for (const v of Object.values(parseFlatKeyed(s))) assert.equal(typeof v, 'number');
      onlyFormatErrors(() => parseLimit(s), /^not a cgroup limit/);
      onlyFormatErrors(() => parseCount(s), /^not a cgroup counter/);
    }),
    RUNS,
  );
});

const UNITS: Record<string, Unit> = { exit_code: 'count', cgroup_mem_peak: 'bytes', wall_clock_time: 'seconds', proc_pdcpu_total: 'percent' };
const catalog: FieldCatalog = {
  known: (n) => n in UNITS || n === 'command' || n === 'message',
  unit: (n) => UNITS[n],
};

test('fuzz: the ls filter language: only FilterError (a DuctError, exit 2) escapes; a compiled filter never throws on any run', () => {
  // well-formed filters from the grammar, and near misses: one character dropped or inserted
  const literal = fc.constantFrom('2GiB', '512MiB', '1h30m', '90s', '50%', '3', '-1.5', '1e3', '"train"', "'py'", 'null', 'true');
  const field = fc.constantFrom('exit_code', 'command', 'cgroup_mem_peak', 'wall_clock_time', 'proc_pdcpu_total', 'message', 'nosuch');
  const op = fc.constantFrom('==', '!=', '<', '<=', '>', '>=', '~', '!~');
  const { expr } = fc.letrec<{ expr: string; cmp: string }>((tie) => ({
    cmp: fc.tuple(field, op, literal).map((t) => t.join(' ')),
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('cmp'),
      fc.tuple(tie('expr'), fc.constantFrom('and', 'or'), tie('expr')).map((t) => t.join(' ')),
      tie('expr').map((e) => `not ${e}`),
      tie('expr').map((e) => `(${e})`),
    ),
  }));
  const nearMiss = fc.tuple(expr, fc.nat(), fc.constantFrom('', '(', ')', '"', '=', '!', 'x', ' ', '\u00e9')).map(([e, at, c]) => {
    const i = e.length === 0 ? 0 : at % e.length;
    return c === '' ? e.slice(0, i) + e.slice(i + 1) : e.slice(0, i) + c + e.slice(i);
  });
  const filterLike = fc.oneof(expr, nearMiss);
  const values = fc.oneof(fc.double(), fc.integer(), anyText, fc.boolean(), fc.constant(null));
  let compiledCount = 0;
  let rejected = 0;
  fc.assert(
    fc.property(fc.oneof(filterLike, anyText), fc.dictionary(fc.constantFrom('exit_code', 'command', 'cgroup_mem_peak', 'wall_clock_time', 'proc_pdcpu_total', 'message'), values), (src, run) => {
      let compiled;
      try {
        compiled = compileFilter(src, catalog);
      } catch (e) {
        assert.ok(e instanceof FilterError, `${(e as Error).constructor.name}: ${(e as Error).message}`);
        assert.equal(e.exitCode, 2);
        assert.ok(e.column >= 1 && e.column <= src.length + 1, `column ${e.column} within ${JSON.stringify(src)}`);
        rejected++;
        return;
      }
      compiledCount++;
      assert.equal(typeof compiled.test((name) => run[name] ?? null), 'boolean');
    }),
    { ...RUNS, numRuns: 1000 },
  );
  // the generator reaches both sides: filters that compile and filters that are refused
  assert.ok(compiledCount > 20 && rejected > 20, `${compiledCount} compiled, ${rejected} refused`);
});

test('fuzz: .env files: any content is loaded or skipped with a warning, never thrown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'duct-fuzz-env-'));
  try {
    const file = join(dir, '.env');
    const envLike = piecesOf(['DUCT_SAMPLE_INTERVAL', 'DUCT_MESSAGE', 'export ', '=', '"', "'", '`', '#', '\n', '\r\n', ' ', '\\n', '${HOME}', 'x', '\0'], 30);
    fc.assert(
      fc.property(fc.oneof(envLike, anyText), (text) => {
        const bad = findMalformedLine(text);
        assert.ok(bad === null || (Number.isInteger(bad) && bad >= 1));
        writeFileSync(file, text);
        const loaded = loadEnvFiles({ DUCT_CONFIG_PATHS: file });
        assert.ok(loaded.warnings.length <= 1);
        for (const [k, v] of Object.entries(loaded.values)) {
          assert.ok(k.startsWith('DUCT_'));
          assert.equal(typeof v, 'string');
        }
      }),
      RUNS,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fuzz: the usage.jsonl reader skips anything that is not a record, with a warning per line, never throws', () => {
  const record = fc.record({ timestamp: fc.oneof(fc.constant('2026-01-01T00:00:00+00:00'), anyText), num_samples: fc.nat(), measurements: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.double(), fc.string(), fc.constant(null))) }).map((r) => JSON.stringify(r));
  fc.assert(
    fc.property(fc.array(fc.oneof(record, anyText, record.map((r) => r.slice(0, r.length >> 1))), { maxLength: 8 }), (lines) => {
      const { points, warnings } = parseUsageText(lines.join('\n'));
      for (const p of points) assert.ok(Number.isFinite(p.time_ms));
      assert.ok(points.length + warnings.length <= lines.length);
    }),
    RUNS,
  );
});

test('fuzz: every reader of run files on deep nesting (to 100,000 levels, arrays and objects, in any field): no stack overflow', async () => {
  const { summarizeInfoText, parseEventsText } = await import('../../src/files/run-reader.js');
  const { parseJsonLines } = await import('../../src/files/json-lines.js');
  const { nestedDeeperThan } = await import('../../src/files/json-text.js');
  const { compileFilter: compile } = await import('../../src/view/filter/evaluate.js');
  const nest = (depth: number, kind: 'array' | 'object') => (kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
  let deepSeen = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 100_000 }),
      fc.constantFrom('array' as const, 'object' as const),
      fc.constantFrom('command', 'execution_summary', 'measurements', 'system', 'detectors', 'output_paths'),
      (depth, kind, field) => {
        const deep = nest(depth, kind);
        const info = `{"schema_version":"1.0.0","status":"finished","${field}":${deep}}`;
        summarizeInfoText('/x/r_info.json', info);
        const line = `{"timestamp":"2026-01-01T00:00:00+00:00","num_samples":1,"measurements":{"proc_rss_total":${deep}}}`;
        parseUsageText(`${line}\n${deep}\n`);
        parseEventsText(`{"timestamp":"2026-01-01T00:00:00+00:00","kind":"x","attributes":${deep}}\n`);
        const parsed = parseJsonLines(`${deep}\n`, 'f');
        assert.equal(nestedDeeperThan(parsed.lines[0]?.value), depth >= 64);
        if (depth >= 64) deepSeen++;
      },
    ),
    { seed: 18, numRuns: 20 },
  );
  assert.ok(deepSeen > 0, 'the generator reaches past the depth limit');
  // the filter language: nesting is refused with a FilterError at any depth past 100, never a RangeError
  for (const depth of [99, 101, 5_000, 50_000]) {
    const src = `${'('.repeat(depth)}exit_code${')'.repeat(depth)}`;
    try {
      compile(src, { known: () => true, unit: () => undefined });
      assert.ok(depth <= 100);
    } catch (err) {
      assert.ok(err instanceof FilterError, `depth ${depth}: ${(err as Error).name}`);
    }
  }
});
