import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HangVerdict } from '../../src/detectors/verdict.js';
import { Feed, T0 } from './feed.js';

const KILLED = 'RuntimeError: DataLoader worker (pid 4242) is killed by signal: Killed.';
const verdicts = (f: Feed): HangVerdict[] => f.of('verdict').map((e) => e.verdict!);

test('a burst of buffered step lines arriving at once: the last one printed is the last step', () => {
  const f = new Feed();
  // steps 0..24 one second apart, then 25..30 flushed together in one read
  f.steps(0, 24, 0);
  for (let s = 25; s <= 30; s++) f.line(25, `step ${s} loss=0.5`, 'stdout');
  f.line(26, KILLED).ticks(26, 100);
  const [v] = verdicts(f);
  assert.equal(v?.last_step, 30);
  assert.equal(v?.evidence_trail[0]?.timestamp, new Date(T0 + 25_000).toISOString());
});

test('step lines 50 ms apart on both streams: the last one printed is the stall start', () => {
  const f = new Feed();
  for (let s = 2; s <= 30; s++) f.line(s / 20, `step ${s}`, s % 2 ? 'stdout' : 'stderr');
  f.line(4, KILLED).ticks(4, 100);
  const [v] = verdicts(f);
  assert.equal(v?.last_step, 30);
  assert.equal(v?.evidence_trail[0]?.timestamp, new Date(T0 + 1_500).toISOString());
});

test('a traceback burst after the last step does not push the step out', () => {
  const f = new Feed().steps(0, 10, 0);
  f.line(10.05, 'step 11', 'stdout');
  // a long traceback in the same instant: its lines carry the step keywords ("<module>", "iterator", "step")
  for (let i = 0; i < 600; i++) f.line(10.1, `  File "x.py", line ${i}, in <module> optimizer.step() iterator`);
  f.line(10.1, KILLED).ticks(11, 100);
  assert.equal(verdicts(f)[0]?.last_step, 11);
});
