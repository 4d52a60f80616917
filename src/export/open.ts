import type { DetectorEvent } from '../detectors/types.js';
import type { RunInfo } from '../files/info.js';
import type { Exports } from './exports.js';
import type { ExportPlan } from './plan.js';
import type { ResourceAttributes } from './resource.js';

/** What the run and `duct detect` call: one line at each report, per event, and at the end. */
export interface ExportHooks {
  report(info: RunInfo): void;
  event(e: DetectorEvent): void;
  /** Waits at most the plan's flush bound, whatever the endpoints do. */
  finish(info: RunInfo | null): Promise<void>;
}

/**
 * Starts loading the exporters (in the background: the command is already running) and hands back
 * hooks that queue on that load, so no caller ever waits for it, and the end waits a bounded time.
 */
export function openExports(plan: ExportPlan, resource: () => ResourceAttributes, warnOnce: (msg: string) => void): ExportHooks {
  let loaded: Exports | null = null;
  const loading = import('./exports.js')
    .then(async (m) => (loaded = await m.Exports.open(plan, resource(), warnOnce)))
    .catch((err: Error) => {
      warnOnce(`cannot start the exports: ${err.message}`);
      return null;
    });
  return {
    report: (info) => void loading.then((x) => x?.report(info)),
    event: (e) => void loading.then((x) => x?.event(e)),
    finish: async (info) => {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), plan.flushTimeoutMs)));
      const done = loading.then((x) => x?.finish(info)).catch((err: Error) => warnOnce(`exports failed: ${err.message}`));
      if ((await Promise.race([done, bound])) === 'late') {
        const why = `no answer within --export-timeout ${plan.flushTimeoutMs / 1000} s, not sent`;
        // each endpoint still busy is named once (one already named for an earlier failure is not repeated)
        if (loaded) (loaded as Exports).abandon(why);
        else warnOnce(`the exporters were still loading after --export-timeout ${plan.flushTimeoutMs / 1000} s; nothing was sent (the run's files are complete)`);
      }
      clearTimeout(timer);
    },
  };
}
