import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKubernetesEvents } from '../../src/detectors/kubernetes-events.js';

/** Shaped like `kubectl get events -o json`: core/v1 Events, plus one events.k8s.io/v1 item. */
const list = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {
      kind: 'Event',
      reason: 'Pulled',
      message: 'Container image "pytorch:2.4" already present on machine',
      involvedObject: { kind: 'Pod', namespace: 'ml', name: 'train-0' },
      lastTimestamp: '2026-11-22T05:00:00Z',
      type: 'Normal',
    },
    {
      kind: 'Event',
      reason: 'FailedMount',
      message: 'MountVolume.SetUp failed for volume "data" : rpc error: code = Internal desc = mount failed: exit status 1',
      involvedObject: { kind: 'Pod', namespace: 'ml', name: 'train-0' },
      firstTimestamp: '2026-11-22T05:01:00Z',
      lastTimestamp: '2026-11-22T05:03:00Z',
      type: 'Warning',
    },
    {
      kind: 'Event',
      reason: 'FailedAttachVolume',
      message: 'AttachVolume.Attach failed for volume "pvc-1" : timed out waiting for the condition',
      involvedObject: { kind: 'Pod', namespace: 'ml', name: 'train-1' },
      eventTime: '2026-11-22T05:02:00.123456Z',
      lastTimestamp: null,
      type: 'Warning',
    },
    {
      reason: 'VolumeMountFailure',
      note: 'fuse: transport endpoint is not connected',
      regarding: { kind: 'Pod', name: 'train-2' },
      deprecatedLastTimestamp: '2026-11-22T04:59:00Z',
    },
    { kind: 'Event', reason: 'FailedMount', message: 'no time at all', involvedObject: { kind: 'Pod', name: 'x' } },
    { kind: 'Event', reason: 'BackOff', message: 'Back-off restarting failed container', lastTimestamp: '2026-11-22T05:04:00Z' },
  ],
};

test('storage reasons are picked, oldest first, with reason, message, object and time', () => {
  const { storage, skipped } = parseKubernetesEvents(list);
  assert.deepEqual(storage, [
    { time_ms: Date.parse('2026-11-22T04:59:00Z'), reason: 'VolumeMountFailure', message: 'fuse: transport endpoint is not connected', object: 'Pod train-2' },
    { time_ms: Date.parse('2026-11-22T05:02:00.123Z'), reason: 'FailedAttachVolume', message: 'AttachVolume.Attach failed for volume "pvc-1" : timed out waiting for the condition', object: 'Pod ml/train-1' },
    {
      time_ms: Date.parse('2026-11-22T05:03:00Z'),
      reason: 'FailedMount',
      message: 'MountVolume.SetUp failed for volume "data" : rpc error: code = Internal desc = mount failed: exit status 1',
      object: 'Pod ml/train-0',
    },
  ]);
  assert.deepEqual(skipped, ['item 4 (FailedMount) has no timestamp']);
});

test('a single Event object is accepted; an empty list gives nothing', () => {
  assert.equal(parseKubernetesEvents(list.items[1]).storage.length, 1);
  assert.deepEqual(parseKubernetesEvents({ apiVersion: 'v1', kind: 'List', items: [] }), { storage: [], skipped: [] });
});

test('another JSON shape is refused with a sentence naming the expected input', () => {
  for (const doc of [{ foo: 1 }, 42, 'x', null]) {
    assert.throws(() => parseKubernetesEvents(doc), /kubectl get events -o json/);
  }
});
