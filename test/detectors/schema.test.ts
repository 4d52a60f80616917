import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HangVerdict } from '../../src/detectors/verdict.js';
import { schemas } from './schemas.js';

const valid: HangVerdict = {
  pattern_id: '7',
  name: 'dataloader_hang',
  discriminator: 'worker_killed',
  confidence: 'full',
  stall_seconds: 612,
  stall_signal: 'step_progress',
  last_step: 40,
  threshold_seconds: 300,
  correlation_window_seconds: 300,
  evidence_trail: [
    { kind: 'training_step_stall', timestamp: '2026-11-22T05:00:00.000Z', detail: 'no training-step progress for 612 s after step 40' },
    { kind: 'storage_event', timestamp: '2026-11-22T05:00:30.000Z', detail: 'MountVolume.SetUp failed', reason: 'FailedMount', object: 'Pod ml/train-0' },
    { kind: 'dataloader_error', timestamp: '2026-11-22T05:01:00.000Z', detail: 'DataLoader worker (pid 9) is killed', stream: 'stderr', line_number: 88, error_class: 'DataLoader worker killed', worker_pid: 9 },
  ],
};

const clone = (): Record<string, unknown> & { evidence_trail: Record<string, unknown>[] } => structuredClone(valid) as never;

test('a well-formed verdict validates', () => {
  assert.equal(schemas.verdict(valid), true, JSON.stringify(schemas.verdict.errors));
  const partial = { ...clone(), confidence: 'partial', stall_signal: 'cpu_collapse', last_step: null };
  assert.equal(schemas.verdict(partial), true, JSON.stringify(schemas.verdict.errors));
});

const drifts: [string, (v: ReturnType<typeof clone>) => void][] = [
  ['pattern id "8"', (v) => (v.pattern_id = '8')],
  ['pattern id as a number', (v) => (v.pattern_id = 7)],
  ['discriminator outside the enum', (v) => (v.discriminator = 'oom')],
  ['discriminator renamed', (v) => (v.discriminator = 'worker-killed')],
  ['confidence "high"', (v) => (v.confidence = 'high')],
  ['confidence as a number', (v) => (v.confidence = 0.9)],
  ['fractional stall_seconds', (v) => (v.stall_seconds = 612.5)],
  ['negative stall_seconds', (v) => (v.stall_seconds = -1)],
  ['stall_seconds as a string', (v) => (v.stall_seconds = '612')],
  ['an extra property', (v) => (v.score = 0.97)],
  ['pattern_id missing', (v) => delete v.pattern_id],
  ['evidence_trail missing', (v) => delete (v as Record<string, unknown>).evidence_trail],
  ['an evidence kind outside the enum', (v) => (v.evidence_trail[1]!.kind = 'kubernetes_event')],
  ['an extra property on an evidence item', (v) => (v.evidence_trail[0]!.severity = 'high')],
  ['an evidence item without a timestamp', (v) => delete v.evidence_trail[0]!.timestamp],
  ['an evidence timestamp that is not a date-time', (v) => (v.evidence_trail[0]!.timestamp = 'yesterday')],
  ['no stall in the evidence trail', (v) => v.evidence_trail.shift()],
  ['worker_killed without a dataloader_error in the trail', (v) => v.evidence_trail.pop()],
  ['storage_event with a dataloader_error in the trail', (v) => (v.discriminator = 'storage_event')],
  ['full confidence from the CPU fallback', (v) => (v.stall_signal = 'cpu_collapse')],
  ['a stall_signal outside the enum', (v) => (v.stall_signal = 'silence')],
  ['a fractional last_step', (v) => (v.last_step = 1.5)],
];

for (const [name, drift] of drifts) {
  test(`a drifted verdict fails validation: ${name}`, () => {
    const v = clone();
    drift(v);
    assert.equal(schemas.verdict(v), false);
  });
}

const event = {
  timestamp: '2026-11-22T05:00:00.000Z',
  kind: 'cuda_oom',
  stream: 'stderr',
  line_number: 3,
  attributes: { 'cuda_oom.tried_alloc_bytes': 2147483648, 'cuda_oom.gpu_index': 0, 'cuda_oom.exception': 'torch.OutOfMemoryError' },
  body: 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.',
};

test('a well-formed event and a verdict event validate', () => {
  assert.equal(schemas.event(event), true, JSON.stringify(schemas.event.errors));
  const v = { timestamp: event.timestamp, kind: 'verdict', attributes: { 'verdict.pattern_id': '7' }, body: 'hang', verdict: valid };
  assert.equal(schemas.event(v), true, JSON.stringify(schemas.event.errors));
});

const eventDrifts: [string, Record<string, unknown>][] = [
  ['an unknown kind', { ...event, kind: 'oom' }],
  ['an unknown top-level field', { ...event, severity: 'high' }],
  ['a line number of 0', { ...event, line_number: 0 }],
  ['a stream outside the enum', { ...event, stream: 'stdin' }],
  ['a CUDA OOM without its bytes attribute', { ...event, attributes: { 'cuda_oom.gpu_index': 0 } }],
  ['fractional bytes', { ...event, attributes: { 'cuda_oom.tried_alloc_bytes': 1.5, 'cuda_oom.gpu_index': 0 } }],
  ['an object-valued attribute', { ...event, attributes: { ...event.attributes, extra: { a: 1 } } }],
  ['an error class outside the table', { ...event, kind: 'dataloader_error', attributes: { 'dataloader.error_class': 'worker-killed' } }],
  ['a verdict event without its verdict', { timestamp: event.timestamp, kind: 'verdict', attributes: {} }],
  ['a verdict object on another kind', { ...event, verdict: valid }],
  ['a drifted verdict inside a verdict event', { timestamp: event.timestamp, kind: 'verdict', attributes: {}, verdict: { ...valid, confidence: 'high' } }],
  ['body_truncated false (only true is written)', { ...event, body_truncated: false }],
];

for (const [name, e] of eventDrifts) {
  test(`a drifted event fails validation: ${name}`, () => {
    assert.equal(schemas.event(e), false);
  });
}
