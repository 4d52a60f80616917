import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { REPO_ROOT } from '../helpers/cli.js';

/** schema/events.schema.json and schema/verdict.schema.json compiled with ajv (strict mode). */
function load(): { event: ValidateFunction; verdict: ValidateFunction } {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const read = (name: string): object => JSON.parse(readFileSync(join(REPO_ROOT, 'schema', name), 'utf8')) as object;
  ajv.addSchema(read('verdict.schema.json'));
  ajv.addSchema(read('events.schema.json'));
  return {
    event: ajv.getSchema('https://schemas.duct.invalid/events.schema.json')!,
    verdict: ajv.getSchema('https://schemas.duct.invalid/verdict.schema.json')!,
  };
}

export const schemas = load();

/** Throws with ajv's errors when `value` does not validate. */
export function assertValid(validate: ValidateFunction, value: unknown): void {
  if (!validate(value)) throw new Error(`schema violation: ${JSON.stringify(validate.errors)}\nvalue: ${JSON.stringify(value)}`);
}
