import { DuctError } from '../errors.js';

export function run(_argv: string[]): Promise<number> {
  return Promise.reject(new DuctError('E_USAGE', '`duct run` is not built yet'));
}
