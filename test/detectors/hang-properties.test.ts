import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Feed, T0 } from './feed.js';
import { assertValid, schemas } from './schemas.js';

type Action =
  | { a: 'step'; dt: number; inc: number }
  | { a: 'killed'; dt: number }
  | { a: 'storage'; dt: number }
  | { a: 'eval'; dt: number }
  | { a: 'noise'; dt: number }
  | { a: 'tick'; dt: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ a: fc.constant('step' as const), dt: fc.integer({ min: 0, max: 90 }), inc: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ a: fc.constant('killed' as const), dt: fc.integer({ min: 0, max: 90 }) }),
  fc.record({ a: fc.constant('storage' as const), dt: fc.integer({ min: 0, max: 90 }) }),
  fc.record({ a: fc.constant('eval' as const), dt: fc.integer({ min: 0, max: 90 }) }),
  fc.record({ a: fc.constant('noise' as const), dt: fc.integer({ min: 0, max: 90 }) }),
  fc.record({ a: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 200 }) }),
);

const THRESHOLD = 60;
const WINDOW = 30;

test('over random runs, every verdict is schema-valid, past the threshold and warm-up, joined inside its window, and one per stall', () => {
  let verdicts = 0;
  fc.assert(
    fc.property(fc.array(action, { maxLength: 60 }), (actions) => {
      const f = new Feed({ hangThresholdSeconds: THRESHOLD, correlationWindowSeconds: WINDOW });
      let t = 0;
      let step = 0;
      for (const x of actions) {
        t += x.dt;
        if (x.a === 'step') {
          step = Math.max(0, step + x.inc);
          f.line(t, `step ${step} loss=0.1`, 'stdout');
        } else if (x.a === 'killed') f.line(t, 'RuntimeError: DataLoader worker (pid 7) is killed by signal: Killed.');
        else if (x.a === 'storage') f.line(t, 'OSError: [Errno 116] Stale file handle');
        else if (x.a === 'eval') f.line(t, '***** Running Evaluation *****', 'stdout');
        else if (x.a === 'noise') f.line(t, 'INFO saving checkpoint', 'stdout');
        else f.tick(t);
      }
      f.finish(t);
      const seenStallStarts = new Set<string>();
      for (const e of f.of('verdict')) {
        verdicts++;
        assertValid(schemas.event, e);
        const v = e.verdict!;
        assert.ok(v.stall_seconds >= THRESHOLD);
        assert.ok(v.last_step !== null && v.last_step >= 2, 'never in warm-up');
        const [stall, ...joined] = v.evidence_trail;
        assert.equal(stall!.kind, 'training_step_stall');
        assert.ok(!seenStallStarts.has(stall!.timestamp), 'one verdict per stall');
        seenStallStarts.add(stall!.timestamp);
        const stallStart = Date.parse(stall!.timestamp);
        const decided = Date.parse(e.timestamp);
        assert.equal(v.stall_seconds, Math.floor((decided - stallStart) / 1000));
        assert.ok(joined.length > 0);
        for (const j of joined) {
          const at = Date.parse(j.timestamp);
          assert.ok(at >= stallStart - WINDOW * 1000 && at <= decided, 'inside the correlation window');
        }
        const hasKilled = joined.some((j) => j.kind === 'dataloader_error');
        assert.equal(v.discriminator, hasKilled ? 'worker_killed' : 'storage_event');
        assert.ok(decided >= T0);
      }
    }),
    { numRuns: 300, seed: 20261122 },
  );
  assert.ok(verdicts >= 10, `the generated runs gave ${verdicts} verdicts: too few to say anything`);
});
