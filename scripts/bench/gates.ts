import { readFileSync } from 'node:fs';
import { DuctError } from '../../src/errors.js';

/** soft: a regression is reported only; hard: `bench:check` exits nonzero on it. */
export type GateMode = 'soft' | 'hard';
export const GATE_MODES: readonly GateMode[] = ['soft', 'hard'];

/** How one benchmark is gated. */
export interface Gate {
  mode: GateMode;
  /** a figure worse than the baseline by more than this percentage is a regression. */
  tolerance_pct: number;
  /**
   * absolute slack in the figure's own unit, used where it is larger than tolerance_pct of the
   * baseline: for figures near zero (a relative error of 0.003), where a percentage means nothing.
   */
  tolerance_abs?: number;
  /** graduation to hard needs the across-run CV below this percentage (over at least MIN_RUNS_FOR_GRADUATION runs). */
  cv_threshold_pct: number;
}

/** bench/gates.json: defaults, and one line per benchmark overriding them. */
export interface GatesFile {
  defaults: Gate;
  benchmarks: Record<string, Partial<Gate>>;
}

/** Runs a CV must be measured over before a gate may graduate from soft to hard. */
export const MIN_RUNS_FOR_GRADUATION = 10;

const FALLBACK: Gate = { mode: 'soft', tolerance_pct: 10, cv_threshold_pct: 5 };

function checkGate(g: unknown, where: string, path: string, partial: boolean): Partial<Gate> {
  if (typeof g !== 'object' || g === null || Array.isArray(g)) throw new DuctError('E_INPUT', `${path}: ${where} must be an object`);
  const o = g as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== 'mode' && k !== 'tolerance_pct' && k !== 'tolerance_abs' && k !== 'cv_threshold_pct') {
      throw new DuctError('E_INPUT', `${path}: ${where} has unknown field "${k}" (valid: mode, tolerance_pct, tolerance_abs, cv_threshold_pct)`);
    }
  }
  if ((o.mode !== undefined || !partial) && !GATE_MODES.includes(o.mode as GateMode)) {
    throw new DuctError('E_INPUT', `${path}: ${where}.mode is ${JSON.stringify(o.mode)}; valid: ${GATE_MODES.join(', ')}`);
  }
  for (const k of ['tolerance_pct', 'tolerance_abs', 'cv_threshold_pct'] as const) {
    if ((o[k] !== undefined || (!partial && k !== 'tolerance_abs')) && !(typeof o[k] === 'number' && (o[k] as number) >= 0)) {
      throw new DuctError('E_INPUT', `${path}: ${where}.${k} is ${JSON.stringify(o[k])}; expected a number >= 0`);
    }
  }
  return o as Partial<Gate>;
}

/** Read and check bench/gates.json; a missing file means every benchmark is soft with the fallback figures. */
export function readGates(path: string, required = false): GatesFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (!required && (e as NodeJS.ErrnoException).code === 'ENOENT') return { defaults: FALLBACK, benchmarks: {} };
    throw new DuctError('E_INPUT', `cannot read gates file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new DuctError('E_INPUT', `${path} is not JSON (${(e as Error).message})`);
  }
  if (typeof data !== 'object' || data === null) throw new DuctError('E_INPUT', `${path}: expected an object with "defaults" and "benchmarks"`);
  const d = data as Record<string, unknown>;
  const defaults = { ...FALLBACK, ...checkGate(d.defaults ?? {}, 'defaults', path, true) };
  const benchmarks: Record<string, Partial<Gate>> = {};
  const listed = d.benchmarks ?? {};
  if (typeof listed !== 'object' || listed === null || Array.isArray(listed)) throw new DuctError('E_INPUT', `${path}: "benchmarks" must be an object`);
  for (const [name, g] of Object.entries(listed)) benchmarks[name] = checkGate(g, `benchmarks.${name}`, path, true);
  return { defaults, benchmarks };
}

/** The effective gate of one benchmark: its own line over the defaults. */
export function gateFor(gates: GatesFile, name: string): Gate {
  return { ...gates.defaults, ...gates.benchmarks[name] };
}

/** Hard-gate lines naming no benchmark in sight: a typo there would leave the meant-hard gate unapplied. */
export function unknownHardGates(gates: GatesFile, known: Iterable<string>): string[] {
  const k = new Set(known);
  return Object.entries(gates.benchmarks)
    .filter(([n, g]) => g.mode === 'hard' && !k.has(n))
    .map(([n]) => n)
    .sort();
}
