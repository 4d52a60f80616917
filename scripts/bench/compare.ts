import type { BenchResult } from './result.js';
import { gateFor, type GateMode, type GatesFile } from './gates.js';

export type CheckStatus = 'ok' | 'regression' | 'failed' | 'new' | 'skipped' | 'not_run';

/** One benchmark's verdict against its baseline. */
export interface CheckRow {
  name: string;
  unit: string;
  baseline: number | null;
  figure: number | null;
  /** signed change in percent of the baseline (positive = the figure grew). */
  changePct: number | null;
  tolerancePct: number;
  /** absolute slack in the figure's unit (0 when the gate sets none). */
  toleranceAbs: number;
  mode: GateMode;
  status: CheckStatus;
  /** the reason for skipped/failed rows. */
  note?: string;
}

/** Did a figure move in the bad direction by more than the tolerance (the larger of the percentage and the absolute slack)? */
export function isRegression(figure: number, baseline: number, higherIsBetter: boolean, tolerancePct: number, toleranceAbs = 0): boolean {
  const slack = Math.max((Math.abs(baseline) * tolerancePct) / 100, toleranceAbs);
  return higherIsBetter ? figure < baseline - slack : figure > baseline + slack;
}

/** Compare every benchmark in a result or its baseline; rows sorted by name. */
export function compareToBaseline(result: BenchResult, baseline: BenchResult, gates: GatesFile): CheckRow[] {
  const names = new Set([
    ...Object.keys(result.benchmarks),
    ...Object.keys(baseline.benchmarks),
    ...Object.keys(result.failed ?? {}),
  ]);
  const rows: CheckRow[] = [];
  for (const name of [...names].sort()) {
    const gate = gateFor(gates, name);
    const cur = result.benchmarks[name];
    const base = baseline.benchmarks[name];
    const row: CheckRow = {
      name,
      unit: cur?.unit ?? base?.unit ?? '',
      baseline: base?.figure ?? null,
      figure: cur?.figure ?? null,
      changePct: null,
      tolerancePct: gate.tolerance_pct,
      toleranceAbs: gate.tolerance_abs ?? 0,
      mode: gate.mode,
      status: 'ok',
    };
    if (cur === undefined) {
      const failed = result.failed?.[name];
      const skipped = result.skipped?.[name];
      if (failed !== undefined) Object.assign(row, { status: 'failed', note: failed });
      else if (skipped !== undefined) Object.assign(row, { status: 'skipped', note: skipped });
      else row.status = 'not_run';
    } else if (base === undefined) {
      row.status = 'new';
    } else {
      row.changePct = base.figure === 0 ? null : (100 * (cur.figure - base.figure)) / Math.abs(base.figure);
      row.status = isRegression(cur.figure, base.figure, cur.higher_is_better, gate.tolerance_pct, gate.tolerance_abs ?? 0) ? 'regression' : 'ok';
    }
    rows.push(row);
  }
  return rows;
}

/** Rows that make `bench:check` exit nonzero: a hard gate's regression, or its benchmark failing to run. */
export function hardFailures(rows: readonly CheckRow[]): CheckRow[] {
  return rows.filter((r) => r.mode === 'hard' && (r.status === 'regression' || r.status === 'failed'));
}

/** The status column as a person reads it. */
/** The tolerance column: the percentage, and the absolute slack where the gate sets one. */
export function toleranceText(row: CheckRow): string {
  return row.toleranceAbs > 0 ? `${row.tolerancePct}% or ${row.toleranceAbs}` : `${row.tolerancePct}%`;
}

export function statusText(row: CheckRow): string {
  switch (row.status) {
    case 'ok':
      return 'OK';
    case 'regression':
      return row.mode === 'hard' ? `REGRESSION beyond ${toleranceText(row)} (hard gate: fails)` : `REGRESSION beyond ${toleranceText(row)} (soft gate: reported only)`;
    case 'failed':
      return row.mode === 'hard' ? `FAILED (hard gate: fails): ${row.note ?? ''}` : `FAILED (soft gate): ${row.note ?? ''}`;
    case 'new':
      return 'NEW (no baseline yet)';
    case 'skipped':
      return `SKIPPED: ${row.note ?? ''}`;
    case 'not_run':
      return 'NOT RUN (not in this result)';
  }
}
