import { hostname } from 'node:os';
import { openExports, type ExportHooks } from './open.js';
import type { ExportPlan } from './plan.js';
import { ductResource } from './resource.js';

/** The event exporter of `duct detect`, or null; each container's events carry its k8s.* resource. */
export function openDetectExport(plan: ExportPlan | null, warn: (msg: string) => void): ExportHooks | null {
  if (plan === null) return null;
  for (const w of plan.warnings) warn(w);
  const warned = new Set<string>();
  return openExports(plan, () => ductResource(hostname()), (m) => {
    if (!warned.has(m)) warn(m);
    warned.add(m);
  });
}
