import { cgroupIsTheRuns } from '../files/run-figures.js';
import type { EventPoint } from '../files/run-reader.js';
import type { RunView, UsagePoint } from '../files/run-view.js';
import type { PlotEvent, PlotInput } from './plot-spec.js';

/** An event's label on the chart: the DataLoader error class where there is one, else its kind. */
export function eventLabel(kind: string, attributes: Record<string, unknown>): string {
  const cls = attributes['dataloader.error_class'];
  return typeof cls === 'string' ? cls : kind;
}

/** What the chart needs of a run: x starts at the run's start (or its first report, if earlier or unknown). */
export function plotInputFromRun(view: Pick<RunView, 'summary' | 'units' | 'prefix'>, points: readonly UsagePoint[], events: readonly EventPoint[]): PlotInput {
  const startText = view.summary.start_time;
  const start = typeof startText === 'string' ? Date.parse(startText) : NaN;
  const first = points[0]?.time_ms ?? (Number.isFinite(start) ? start : 0);
  const start_ms = Number.isFinite(start) ? Math.min(start, first) : first;
  const command = typeof view.summary.command === 'string' ? view.summary.command : view.prefix;
  const title = `${command} (${typeof startText === 'string' ? startText : new Date(start_ms).toISOString()})`;
  const plotEvents: PlotEvent[] = events.map((e) => ({ time_ms: e.time_ms, kind: e.kind, label: eventLabel(e.kind, e.attributes) }));
  // a shared cgroup's lines would set the axis for the whole container while the run's own sit at 0
  const notTheRuns = cgroupIsTheRuns(view.summary) ? [] : Object.keys(view.units).filter((k) => k.startsWith('cgroup_'));
  return { title, start_ms, points, units: view.units, events: plotEvents, notTheRuns };
}
