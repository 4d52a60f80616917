import { CATALOGUE, expandPreset, PRESET_NAMES } from './catalogue.js';
import { keyAvailability, machineEnvironment } from './environment.js';

const COST_TEXT = { low: 'low', fork: 'fork/sample', 'grows-with-memory': 'grows w/ memory', 'grows-with-fds': 'grows w/ open files' } as const;

/** Text of `duct run --measurements help`: the catalogue with unit, scope, cost and availability on this machine, then the presets. */
export function renderMeasurementHelp(): string {
  const availability = keyAvailability(machineEnvironment());
  const rows = CATALOGUE.map((m) => [m.key, m.unit, m.scope, `${m.kind}/${m.derive ? 'rate→' : ''}${m.reduce}`, COST_TEXT[m.cost], availability.get(m.key) === null ? 'yes' : `no: ${availability.get(m.key)}`]);
  const head = ['key', 'unit', 'scope', 'kind/reduce', 'cost', 'available here'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const out = [
    'Measurements (--measurements KEY|PRESET,...). Units: bytes, seconds, percent (100 = one core), count, bytes/s.',
    '',
    line(head),
    ...rows.map(line),
    '',
    'Presets (keys available here):',
  ];
  const isAvailable = (k: string): boolean => availability.get(k) === null;
  for (const p of PRESET_NAMES) out.push(`  ${p.padEnd(8)} ${expandPreset(p, isAvailable).join(', ') || '(none available here)'}`);
  out.push('', 'What each key means: the README section "Measurements".');
  return `${out.join('\n')}\n`;
}
