import { basename, dirname } from 'node:path';

/** What the kubelet's log path says about a container: `/var/log/pods/<ns>_<pod>_<uid>/<container>/<restart>.log`. */
export interface PodMeta {
  namespace: string;
  pod: string;
  pod_uid: string;
  container: string;
  restart_count: number;
}

const liveName = /^(\d+)\.log$/;
const rotatedName = /^(\d+)\.log\.(\d{8}-\d{6})(\.gz)?$/;

/** Pod metadata from a live or rotated container log path; null when the path does not follow the kubelet layout. */
export function parsePodLogPath(path: string): PodMeta | null {
  const name = basename(path);
  const m = liveName.exec(name) ?? rotatedName.exec(name);
  if (!m) return null;
  const containerDir = dirname(path);
  const container = basename(containerDir);
  const parts = basename(dirname(containerDir)).split('_');
  // namespace, pod name and uid are DNS labels / UUIDs, none of which may hold `_`
  if (parts.length !== 3 || container === '' || parts.some((p) => p === '')) return null;
  return { namespace: parts[0]!, pod: parts[1]!, pod_uid: parts[2]!, container, restart_count: Number(m[1]) };
}

/** `<n>.log` → n; null for any other name. */
export function liveLogRestart(name: string): number | null {
  const m = liveName.exec(name);
  return m ? Number(m[1]) : null;
}

/** A rotated sibling's name split up: `0.log.20240102-030405.gz` → {restart 0, stamp, gz}. */
export interface RotatedName {
  restart: number;
  stamp: string;
  gz: boolean;
}

export function parseRotatedName(name: string): RotatedName | null {
  const m = rotatedName.exec(name);
  return m ? { restart: Number(m[1]), stamp: m[2]!, gz: m[3] !== undefined } : null;
}
