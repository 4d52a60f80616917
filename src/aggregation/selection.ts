import { DuctError } from '../errors.js';
import { BY_KEY, CATALOGUE, expandPreset, PRESET_NAMES, type PresetName } from './catalogue.js';
import type { Measurement } from './measurement.js';

/** Per catalogue key: null when it can be measured here, else why not. */
export type KeyAvailability = ReadonlyMap<string, string | null>;

/** The list of what --measurements accepts, for error messages. */
export function validChoices(): string {
  return `valid keys: ${CATALOGUE.map((m) => m.key).join(', ')}; presets: ${PRESET_NAMES.join(', ')}; or help`;
}

/**
 * Resolve `--measurements` tokens (keys and presets, comma lists allowed) into
 * the keys to measure, in catalogue order. An unknown token or an unavailable
 * explicit key fails here, before the command starts.
 */
export function resolveSelection(requested: readonly string[], availability: KeyAvailability): Measurement[] {
  const tokens = requested.flatMap((r) => r.split(',')).map((t) => t.trim()).filter((t) => t !== '');
  if (tokens.length === 0) tokens.push('default');
  const isAvailable = (key: string): boolean => availability.get(key) === null;
  const chosen = new Set<string>();
  for (const token of tokens) {
    if ((PRESET_NAMES as readonly string[]).includes(token)) {
      for (const key of expandPreset(token as PresetName, isAvailable)) chosen.add(key);
      continue;
    }
    if (!BY_KEY.has(token)) {
      throw new DuctError('E_MEASUREMENT_UNKNOWN', `unknown measurement '${token}' in --measurements; ${validChoices()}`);
    }
    const reason = availability.get(token);
    if (reason !== null) {
      throw new DuctError('E_MEASUREMENT_UNAVAILABLE', `measurement '${token}' is not available here: ${reason ?? 'unknown reason'}`);
    }
    chosen.add(token);
  }
  if (chosen.size === 0) {
    throw new DuctError(
      'E_MEASUREMENT_UNAVAILABLE',
      `--measurements ${tokens.join(',')} selects no measurement available here (see \`duct run --measurements help\`)`,
    );
  }
  return CATALOGUE.filter((m) => chosen.has(m.key));
}
