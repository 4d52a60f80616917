import { DuctError } from '../errors.js';

/** Placeholder until `duct plot` lands (its issue owns this file). */
export function run(_argv: string[]): Promise<number> {
  return Promise.reject(new DuctError('E_USAGE', '`duct plot` is not built yet'));
}
