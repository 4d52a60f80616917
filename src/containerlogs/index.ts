/** Kubernetes container log reading for `duct detect`: CRI and Docker json-file, rotation, cursor. */
export { Tailer, MAX_RECORD_BYTES, type TailerOptions, type TailerNotice, type TailerStats, type StartAt } from './tailer.js';
export { recordJson, recordSource, type LogRecord } from './record.js';
export { sniffFormat } from './sniff.js';
export { logTimeMs } from './timestamp.js';
export type { ContainerLogFormat } from './chunk.js';
export type { PodMeta } from './pod-path.js';
