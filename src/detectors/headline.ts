import { humanizeBytes } from '../format/units.js';
import type { HangVerdict } from './verdict.js';
import { WORKER_KILLED_CLASS } from './error-classes.js';

/** "CUDA out of memory on GPU 0 (rank 1) trying to allocate 2.00 GiB" (parts the line did not give are left out). */
export function cudaOomSentence(gpu: number | null, bytes: number | null, rank: number | null = null): string {
  let s = 'CUDA out of memory';
  if (gpu !== null) s += ` on GPU ${gpu}`;
  if (rank !== null) s += ` (rank ${rank})`;
  if (bytes !== null) s += ` trying to allocate ${humanizeBytes(bytes)}`;
  return s;
}

export function workerKilledSentence(pid: number | null): string {
  return pid === null ? 'DataLoader worker killed' : `DataLoader worker (pid ${pid}) killed`;
}

export function verdictSentence(v: HangVerdict): string {
  const after = v.last_step === null ? '' : ` after step ${v.last_step}`;
  const signal = v.stall_signal === 'step_progress' ? 'no training step' : 'CPU rate collapsed';
  return `DataLoader hang: ${signal} for ${v.stall_seconds} s${after}, with ${joinedBy(v)}`;
}

/** What joined the stall, in words: a worker-killed line when one did, else the DataLoader or storage error. */
function joinedBy(v: HangVerdict): string {
  if (v.discriminator === 'storage_event') return 'a storage error';
  const killed = v.evidence_trail.some((e) => e.kind === 'dataloader_error' && e.error_class === WORKER_KILLED_CLASS);
  return killed ? 'a DataLoader worker killed' : 'the DataLoader queue empty';
}
