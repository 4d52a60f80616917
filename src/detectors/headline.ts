import { humanizeBytes } from '../format/units.js';
import type { HangVerdict } from './verdict.js';

/** "CUDA out of memory on GPU 0 trying to allocate 2.00 GiB" (parts the line did not give are left out). */
export function cudaOomSentence(gpu: number | null, bytes: number | null): string {
  let s = 'CUDA out of memory';
  if (gpu !== null) s += ` on GPU ${gpu}`;
  if (bytes !== null) s += ` trying to allocate ${humanizeBytes(bytes)}`;
  return s;
}

export function workerKilledSentence(pid: number | null): string {
  return pid === null ? 'DataLoader worker killed' : `DataLoader worker (pid ${pid}) killed`;
}

export function verdictSentence(v: HangVerdict): string {
  const after = v.last_step === null ? '' : ` after step ${v.last_step}`;
  const signal = v.stall_signal === 'step_progress' ? 'no training step' : 'CPU rate collapsed';
  return `DataLoader hang: ${signal} for ${v.stall_seconds} s${after}, with ${v.discriminator === 'worker_killed' ? 'a DataLoader worker killed' : 'a storage error'}`;
}
