import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuctError } from '../../src/errors.js';
import { compileStepPattern, createStepMatcher } from '../../src/detectors/step-progress.js';

const defaults = createStepMatcher(null);

const stepLines: [string, number | null][] = [
  ['Epoch 0:  45%|████▌     | 45/100 [00:09<00:11,  4.93it/s, loss=0.3, v_num=0]', 45],
  [' 12%|█▏        | 120/1000 [00:30<03:40,  4.00it/s]', 120],
  ['123it [00:05, 24.1it/s]', 123],
  ['  100/1875 [====>.........................] - ETA: 10s - loss: 0.3012', 100],
  ['Epoch: [0][  10/5005]\tTime  0.512 ( 0.612)\tData  0.101', 10],
  ['step 100 | loss 2.3041 | lr 3.0e-04', 100],
  ['Step: 42, loss=1.0', 42],
  ['global_step=40 loss=0.1', 40],
  ['[rank0]: iter 7/1000 loss 0.9', 7],
  ['Iteration 8: loss 0.7', 8],
  ['INFO train.py:88 | steps=1200 tokens/s=51234', 1200],
  ['{"step": 30, "loss": 2.1, "lr": 0.0003}', 30],
  ["{'global_step': 31, 'loss': 2.0}", 31],
];

for (const [line, step] of stepLines) {
  test(`step line: ${line.slice(0, 50)}`, () => {
    assert.deepEqual(defaults.match(line), { kind: 'step', step });
  });
}

const evalLines = [
  'Validation DataLoader 0:  50%|█████     | 5/10 [00:01<00:01,  4.50it/s]',
  '***** Running Evaluation *****',
  'Validating: 100%|██████████| 50/50 [00:05<00:00, 9.8it/s]',
  'Testing DataLoader 0: 100%|██████████| 10/10 [00:01<00:00,  9.00it/s]',
  'eval step 30',
];

for (const line of evalLines) {
  test(`eval line: ${line.slice(0, 50)}`, () => {
    assert.deepEqual(defaults.match(line), { kind: 'eval' });
  });
}

const neither = [
  'Saving model checkpoint to /tmp/out',
  "{'eval_loss': 0.31, 'eval_runtime': 12.3, 'epoch': 1.0}",
  'sampling interval=5 value=3',
  '5ms/step - loss: 0.1',
  'Downloading: 100%|██████████| 1.2G/1.2G [00:30<00:00, 40.0MB/s]',
  '',
];

for (const line of neither) {
  test(`neither step nor eval: ${JSON.stringify(line.slice(0, 50))}`, () => {
    assert.equal(defaults.match(line), null);
  });
}

test('a tqdm bar redrawn with \\r counts its last frame', () => {
  const line = ['  1%|          | 1/100 [00:01<01:39,  1.00it/s]', '  2%|▏         | 2/100 [00:02<01:38,  1.00it/s]', '  3%|▎         | 3/100 [00:03<01:37,  1.00it/s]'].join('\r');
  assert.deepEqual(defaults.match(line), { kind: 'step', step: 3 });
});

test('step matching stays fast on a pathological 1 MiB line', () => {
  const line = `step ${'1'.repeat(1024 * 1024)}it [ step  ${' '.repeat(3000)}7`;
  assert.deepEqual(defaults.match(line), { kind: 'step', step: 7 });
});

test('a user pattern: first numeric group is the step; a line it matches is a step even if it says eval', () => {
  const m = createStepMatcher('(train|eval) batch (\\d+)');
  assert.deepEqual(m.match('eval batch 12'), { kind: 'step', step: 12 });
  assert.deepEqual(m.match('done'), null);
  assert.deepEqual(m.match('Running Evaluation'), { kind: 'eval' });
  assert.deepEqual(createStepMatcher('tick').match('tick'), { kind: 'step', step: null });
});

test('an invalid --step-pattern is a usage error naming the pattern', () => {
  assert.throws(
    () => compileStepPattern('step (\\d+'),
    (e: unknown) => e instanceof DuctError && e.code === 'E_OPTION_VALUE' && e.exitCode === 2 && e.message.includes('--step-pattern "step (\\\\d+"'),
  );
});
