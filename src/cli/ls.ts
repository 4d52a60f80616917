import { DuctError } from '../errors.js';

/** Placeholder until `duct ls` lands (its issue owns this file). */
export function run(_argv: string[]): Promise<number> {
  return Promise.reject(new DuctError('E_USAGE', '`duct ls` is not built yet'));
}
