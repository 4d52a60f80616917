import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertValid, schemas } from '../detectors/schemas.js';

const stalled = {
  timestamp: '2026-11-22T06:00:00.000Z',
  kind: 'log_rotation_stalled',
  attributes: { 'log.size_bytes': 12_000_000, 'log.rotate_size_bytes': 10_485_760, 'log.stalled_seconds': 31 },
  source: { namespace: 'ml', pod: 'train-0', pod_uid: 'u', container: 'trainer', restart_count: 0, file: '/var/log/pods/ml_train-0_u/trainer/0.log' },
};

test('a rotation-stalled warning event validates against schema/events.schema.json', () => {
  assertValid(schemas.event, stalled);
});

test('a rotation-stalled event without its pod source, or stalled under 30 s, does not', () => {
  const { source: _source, ...noSource } = stalled;
  assert.equal(schemas.event(noSource), false);
  assert.equal(schemas.event({ ...stalled, attributes: { ...stalled.attributes, 'log.stalled_seconds': 5 } }), false);
});
