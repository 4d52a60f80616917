/**
 * The classifier's data: each row is one `dataloader.error_class`, the substrings
 * that identify it, its role in the dataloader-hang verdict, and the runbook hint
 * shown in README.md. A new class is a new row; a row's substrings are never
 * widened to swallow another class. Order matters: the first row that matches wins,
 * and rows marked `fallback` only match when no other row did.
 */

/** What a class contributes to the dataloader-hang verdict (pattern 7): the discriminator it joins a stall as. */
export type ErrorRole = 'worker_killed' | 'storage' | 'none';

export interface ErrorClass {
  /** the short key the class is counted under in info.json's `detectors.counts`. */
  id: string;
  /**
   * the value of the `dataloader.error_class` attribute, exactly the class name of DESIGN.md's
   * table: customer-stable, downstream detectors and runbooks match on it.
   */
  title: string;
  /** a line belongs to the class when it contains any of these (case-sensitive). */
  substrings: readonly string[];
  /** optional confirmation on a candidate line; group 1, when present, is stamped as `capture`. */
  confirm?: { pattern: RegExp; capture: string };
  role: ErrorRole;
  /** only considered when no other row matched. */
  fallback?: boolean;
  /** what to do about it, one sentence (README's runbook column). */
  hint: string;
}

export const ERROR_CLASSES: readonly ErrorClass[] = [
  {
    id: 'worker_killed',
    title: 'DataLoader worker killed',
    substrings: ['DataLoader worker (pid '],
    confirm: { pattern: /DataLoader worker \(pid (\d+)\) is killed/, capture: 'dataloader.worker_pid' },
    role: 'worker_killed',
    hint: 'A worker process died: usually the kernel OOM killer (check `dmesg` and the cgroup oom_kill count) or a full /dev/shm (a Bus error; raise the shared-memory size); lower num_workers, prefetch_factor or per-sample memory.',
  },
  {
    id: 'fuse_transport_error',
    title: 'FUSE transport error',
    substrings: ['Transport endpoint is not connected', 'Software caused connection abort'],
    role: 'storage',
    hint: 'The FUSE mount under the data (s3fs, gcsfuse, blobfuse, mountpoint-s3, ...) lost its daemon: check that daemon\'s log and memory limit, remount, and retry the job.',
  },
  {
    id: 's3_throttle',
    title: 'S3 throttle',
    substrings: ['SlowDown', '503 Service Unavailable', 'Please reduce your request rate'],
    role: 'storage',
    hint: 'The object store is throttling requests: retry with backoff, use fewer concurrent readers, read larger shards, or spread objects over more key prefixes.',
  },
  {
    id: 'stale_file_handle',
    title: 'Stale file handle',
    substrings: ['Stale file handle'],
    role: 'storage',
    hint: 'A file on NFS or Lustre was replaced or deleted on the server while open: do not rewrite the dataset in place during a run, and check the file server.',
  },
  {
    id: 'queue_empty',
    title: 'DataLoader queue empty',
    substrings: ['queue.Empty', '_queue.Empty', 'multiprocessing.queues.Empty'],
    // the main process gave up waiting on its workers: the runbook points at the DataLoader runtime
    role: 'worker_killed',
    hint: 'The main process timed out waiting for a batch: a worker is stuck, dead or starved by slow storage; look for the worker or storage error just before it, or raise the DataLoader timeout.',
  },
  {
    id: 'connection_reset',
    title: 'Connection reset by peer',
    substrings: ['Connection reset by peer'],
    role: 'none',
    fallback: true,
    hint: 'A remote peer (object store, data server, another rank) dropped the connection: check the network and that peer, and retry transient reads.',
  },
];

/** Other accelerators' out-of-memory messages: never CUDA OOM, reported as their own class. */
export const DEVICE_OOM_MARKERS: readonly { device: string; substring: string }[] = [
  { device: 'HIP', substring: 'HIP out of memory' },
  { device: 'XPU', substring: 'XPU out of memory' },
  { device: 'MPS', substring: 'MPS backend out of memory' },
  { device: 'NPU', substring: 'NPU out of memory' },
];

/** The class a worker-killed line gets (the strongest DataLoader evidence). */
export const WORKER_KILLED_CLASS = 'DataLoader worker killed';

const CLASS_BY_TITLE = new Map(ERROR_CLASSES.map((c) => [c.title, c]));

/** The class whose `dataloader.error_class` value is `title`; undefined for any other string. */
export function errorClassByTitle(title: string): ErrorClass | undefined {
  return CLASS_BY_TITLE.get(title);
}

export const CUDA_OOM_ANCHOR = 'CUDA out of memory';

export const CUDA_OOM_HINT =
  'Lower the batch size or sequence length, use gradient accumulation, activation checkpointing or mixed precision; if reserved memory far exceeds allocated, set PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True.';

export const DEVICE_OOM_HINT = 'The accelerator ran out of memory: the same remedies as for CUDA out of memory apply.';
