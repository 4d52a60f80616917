import type { ValidateFunction } from 'ajv';
import { loadSchemas } from '../../src/files/schemas.js';

/** The events and verdict validators, from the same loader `duct validate` uses (strict ajv over schema/). */
function load(): { event: ValidateFunction; verdict: ValidateFunction } {
  const loaded = loadSchemas();
  const event = loaded.validator('events');
  const verdict = loaded.ajv.getSchema('https://schemas.duct.invalid/verdict.schema.json');
  if (!event || !verdict) throw new Error('schema/events.schema.json or schema/verdict.schema.json is missing');
  return { event, verdict };
}

export const schemas = load();

/** Throws with ajv's errors when `value` does not validate. */
export function assertValid(validate: ValidateFunction, value: unknown): void {
  if (!validate(value)) throw new Error(`schema violation: ${JSON.stringify(validate.errors)}\nvalue: ${JSON.stringify(value)}`);
}
