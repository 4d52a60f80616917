import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { createStepMatcher } from '../../src/detectors/step-progress.js';
import type { DetectorEvent } from '../../src/detectors/types.js';
import { assertValid, schemas } from './schemas.js';

/** Real logs from public issue threads (test/fixtures/real-logs/README.md) and the events each must give. */
const DIR = join(REPO_ROOT, 'test', 'fixtures', 'real-logs');

interface Fixture {
  file: string;
  source: string;
  what: string;
  /** per expected event, in order: its kind and the attributes checked (`rank` absent means none named). */
  expected: Record<string, string | number>[];
}

const fixtures = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Fixture[];

/** The parts of an event the expectation checks: kind, the listed attributes, and whether a rank is named. */
function shape(e: DetectorEvent, wanted: Record<string, string | number> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: e.kind };
  for (const k of Object.keys(wanted ?? {})) if (k !== 'kind') out[k] = e.attributes[k];
  if (!('rank' in out) && e.attributes.rank !== undefined) out.rank = e.attributes.rank;
  return out;
}

async function detect(file: string, cwd: string): Promise<DetectorEvent[]> {
  const r = await runCli(['detect', join(DIR, file)], { cwd });
  assert.equal(r.code, 0, `${file}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as DetectorEvent);
}

test('the real-log set: duct detect gives exactly the expected events for every file (score reported)', async (t) => {
  assert.ok(fixtures.length >= 30, 'the set has its files');
  const tmp = tempDir('duct-real-logs-');
  try {
    let filesRight = 0;
    let expectedEvents = 0;
    let truePositives = 0;
    let reported = 0;
    const wrong: string[] = [];
    // four at a time: each is a black-box run of the CLI
    for (let i = 0; i < fixtures.length; i += 4) {
      const batch = fixtures.slice(i, i + 4);
      const results = await Promise.all(batch.map((f) => detect(f.file, tmp.dir)));
      batch.forEach((f, j) => {
        const events = results[j]!;
        for (const e of events) assertValid(schemas.event, e);
        const got = events.map((e, k) => shape(e, f.expected[k]));
        expectedEvents += f.expected.length;
        reported += got.length;
        truePositives += got.filter((g, k) => k < f.expected.length && JSON.stringify(g) === JSON.stringify(f.expected[k])).length;
        if (JSON.stringify(got) === JSON.stringify(f.expected)) filesRight++;
        else wrong.push(`${f.file}: expected ${JSON.stringify(f.expected)}, got ${JSON.stringify(got)}`);
      });
    }
    t.diagnostic(`real-log score: ${filesRight}/${fixtures.length} files exactly right; events: ${truePositives} of ${expectedEvents} expected found, ${reported - truePositives} extra or wrong`);
    assert.deepEqual(wrong, []);
  } finally {
    tmp.cleanup();
  }
});

test('every fixture file is listed with its source, and every listed file exists', () => {
  const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
  for (const f of fixtures) {
    assert.match(f.source, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/(issues|pull)\/\d+$/, f.file);
    assert.ok(readme.includes(`| \`${f.file}\` | ${f.source} |`), `${f.file} in README.md`);
    assert.ok(readFileSync(join(DIR, f.file), 'utf8').length > 0, f.file);
  }
});

test('step progress in real trainer output: the last step each log printed', () => {
  const steps = createStepMatcher(null);
  const lastStep = (file: string): number | null => {
    let last: number | null = null;
    for (const line of readFileSync(join(DIR, file), 'utf8').split('\n')) {
      const s = steps.match(line);
      if (s?.kind === 'step') last = s.step;
    }
    return last;
  };
  assert.equal(lastStep('hf-trainer-loss-dicts.log'), 110, "HF Trainer's {'step': N} dicts");
  assert.equal(lastStep('hf-trainer-progress-sighup.log'), 4084, 'tqdm bars, the last one glued to a warning');
  assert.equal(lastStep('nccl-watchdog-lightning-progress.log'), 32040, "Lightning's bar before the watchdog line");
});
