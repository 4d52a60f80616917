/**
 * The kernel's DRM client usage stats in /proc/<pid>/fdinfo/<fd> (AMD amdgpu, Intel
 * i915 and xe, and other drivers that print them), pure: text in, figures out.
 */

export interface DrmClient {
  /** driver, device and client id: one client may be open through several fds, counted once. */
  id: string;
  /** device-local memory of the client (regions vram*, local*), bytes. */
  vramBytes: number;
  /** busy time summed over the client's engines, nanoseconds (a counter). */
  engineNs: number;
}

const UNITS: Record<string, number> = { '': 1, KiB: 1024, MiB: 1024 * 1024, GiB: 1024 * 1024 * 1024 };

/** Device-local memory regions: amdgpu's and xe's vram(N), i915's localN. */
const LOCAL_REGION = /^(vram|local)\d*$/;

/** One fdinfo text: the DRM client it shows, or null for an fd that is no DRM client. */
export function parseDrmFdinfo(text: string): DrmClient | null {
  let driver: string | null = null;
  let pdev = '';
  let client: string | null = null;
  // per region, the best-named figure: drm-total-* (current kernels), else drm-memory-* (the older name)
  const total = new Map<string, number>();
  const legacy = new Map<string, number>();
  let engineNs = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (!name.startsWith('drm-')) continue;
    if (name === 'drm-driver') driver = value;
    else if (name === 'drm-pdev') pdev = value;
    else if (name === 'drm-client-id') client = value;
    else if (name.startsWith('drm-engine-') && !name.startsWith('drm-engine-capacity-')) {
      const m = /^(\d+)\s*ns$/.exec(value);
      if (m) engineNs += Number(m[1]);
    } else {
      const mem = /^drm-(total|memory)-(.+)$/.exec(name);
      const m = /^(\d+)\s*(KiB|MiB|GiB)?$/.exec(value);
      if (mem && m && LOCAL_REGION.test(mem[2]!)) (mem[1] === 'total' ? total : legacy).set(mem[2]!, Number(m[1]) * UNITS[m[2] ?? '']!);
    }
  }
  if (driver === null || client === null) return null;
  const regions = total.size ? total : legacy;
  let vramBytes = 0;
  for (const v of regions.values()) vramBytes += v;
  return { id: `${driver}/${pdev}/${client}`, vramBytes, engineNs };
}

/** One process's DRM usage over its fds, each client counted once. */
export function drmUsageOf(texts: readonly string[]): { vramBytes: number; engineNs: number; clients: number } | null {
  const seen = new Map<string, DrmClient>();
  for (const t of texts) {
    const c = parseDrmFdinfo(t);
    if (c && !seen.has(c.id)) seen.set(c.id, c);
  }
  if (seen.size === 0) return null;
  let vramBytes = 0;
  let engineNs = 0;
  for (const c of seen.values()) {
    vramBytes += c.vramBytes;
    engineNs += c.engineNs;
  }
  return { vramBytes, engineNs, clients: seen.size };
}
