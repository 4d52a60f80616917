import { DuctError } from '../errors.js';

/** Placeholder until `duct recommend` lands (its issue owns this file). */
export function run(_argv: string[]): Promise<number> {
  return Promise.reject(new DuctError('E_USAGE', '`duct recommend` is not built yet'));
}
