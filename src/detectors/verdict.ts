/**
 * The dataloader-hang verdict (pattern 7) as events.jsonl carries it; its shape is
 * pinned by schema/verdict.schema.json (a test keeps the two in step).
 */

export type EvidenceKind = 'training_step_stall' | 'dataloader_error' | 'storage_event';
export type Discriminator = 'worker_killed' | 'storage_event';

export interface EvidenceItem {
  kind: EvidenceKind;
  /** ISO 8601: when the stall began, or when the line / Kubernetes event was seen. */
  timestamp: string;
  /** one sentence, or the evidence line cut to a bound. */
  detail: string;
  stream?: 'stdout' | 'stderr';
  line_number?: number;
  /** dataloader.error_class of an evidence line. */
  error_class?: string;
  worker_pid?: number;
  /** Kubernetes event reason (FailedMount, ...). */
  reason?: string;
  /** Kubernetes involved object, e.g. "Pod default/train-0". */
  object?: string;
}

export interface HangVerdict {
  pattern_id: '7';
  name: 'dataloader_hang';
  discriminator: Discriminator;
  /** full when the stall comes from step progress; partial when only from the CPU-rate fallback. */
  confidence: 'full' | 'partial';
  /** whole seconds without progress when the verdict was given. */
  stall_seconds: number;
  stall_signal: 'step_progress' | 'cpu_collapse';
  /** last training step seen before the stall; null under the CPU fallback or for steps without a number. */
  last_step: number | null;
  threshold_seconds: number;
  correlation_window_seconds: number;
  /** the stall first, then every joined discriminator in time order. */
  evidence_trail: EvidenceItem[];
}
