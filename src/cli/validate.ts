import { DuctError } from '../errors.js';

/** Placeholder until `duct validate` lands (its issue owns this file). */
export function run(_argv: string[]): Promise<number> {
  return Promise.reject(new DuctError('E_USAGE', '`duct validate` is not built yet'));
}
