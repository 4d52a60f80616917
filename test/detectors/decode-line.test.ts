import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyLine } from '../../src/detectors/classify.js';
import { decodeLine } from '../../src/detectors/decode-line.js';
import { Feed } from './feed.js';

// A JSON logger's record of a traceback: the message's newlines and quotes are escaped.
const JSON_RECORD =
  '{"time": "2026-11-22T05:00:00Z", "level": "ERROR", "rank": 2, "message": "Traceback (most recent call last):\\n  File \\"train.py\\", line 40, in <module>\\nRuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 1; 15.78 GiB total capacity; 14.56 GiB already allocated)"}';

test('a JSON record is matched on its decoded string fields: the exception is RuntimeError, not nRuntimeError', () => {
  const c = classifyLine(JSON_RECORD);
  assert.equal(c?.kind, 'cuda_oom');
  assert.deepEqual(c?.kind === 'cuda_oom' ? [c.exception, c.gpu_index, c.tried_alloc_bytes] : null, ['RuntimeError', 1, 20 * 1024 * 1024]);
});

test('the event keeps the raw line as its body and takes the rank from the record', () => {
  const f = new Feed().line(1, JSON_RECORD).done();
  const [e] = f.of('cuda_oom');
  assert.equal(e!.body, JSON_RECORD);
  assert.equal(e!.attributes['cuda_oom.exception'], 'RuntimeError');
  assert.equal(e!.attributes.rank, 2);
});

test('a JSON string field holding JSON again is decoded too', () => {
  const inner = JSON.stringify({ msg: 'boom\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.00 GiB. GPU 3 has a total capacity of 8 GiB' });
  const line = JSON.stringify({ log: inner, stream: 'stderr' });
  const c = classifyLine(line);
  assert.deepEqual(c?.kind === 'cuda_oom' ? [c.exception, c.gpu_index] : null, ['torch.OutOfMemoryError', 3]);
});

test('a line with escaped newlines and quotes but no JSON is unescaped', () => {
  const line = 'ERROR worker failed: "Traceback (most recent call last):\\n  File \\"x.py\\"\\ntorch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 64.00 MiB (GPU 0; 10.00 GiB total capacity)"';
  const c = classifyLine(line);
  assert.deepEqual(c?.kind === 'cuda_oom' ? [c.exception, c.gpu_index] : null, ['torch.cuda.OutOfMemoryError', 0]);
  assert.equal(decodeLine('a \\"b\\" c\\\\d').text, 'a "b" c\\d');
});

test('a brace that is not a JSON object leaves the line as it is', () => {
  assert.deepEqual(decodeLine("{'loss': 0.3} CUDA out of memory"), { text: "{'loss': 0.3} CUDA out of memory", rank: null });
  assert.deepEqual(decodeLine('plain'), { text: 'plain', rank: null });
});

test('what stands before a JSON record (a launcher prefix) still names the rank', () => {
  const f = new Feed().line(1, `[rank5]: ${JSON.stringify({ level: 'error', message: 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79 GiB' })}`).done();
  assert.equal(f.of('cuda_oom')[0]!.attributes.rank, 5);
});
