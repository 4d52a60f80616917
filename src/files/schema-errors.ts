import type { ErrorObject } from 'ajv/dist/2020.js';

/** One schema violation as a person reads it: the JSON pointer of the field, and what is wrong. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** usage.schema.json's measurement_key: `^(collector|collector|…)_[a-z0-9_]+$`, whatever collectors it lists. */
const MEASUREMENT_KEY_PATTERN = /^\^\(([a-z|]+)\)_\[a-z0-9_\]\+\$$/;
const PID_PATTERN = '^[1-9][0-9]{0,9}$';

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return { string: 'a string', boolean: 'a boolean', object: 'an object' }[typeof value as 'string'] ?? typeof value;
}

function article(type: string): string {
  return type === 'null' ? 'null' : /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function typeList(type: unknown): string {
  const types = (Array.isArray(type) ? type : [type]).map((t) => article(String(t)));
  return types.length <= 1 ? (types[0] ?? '?') : `${types.slice(0, -1).join(', ')} or ${types[types.length - 1]}`;
}

function patternHint(pattern: string): string {
  const collectors = MEASUREMENT_KEY_PATTERN.exec(pattern)?.[1];
  if (collectors) return `not a measurement key (keys are collector-first: ${collectors.split('|').map((c) => `${c}_…`).join(', ')})`;
  if (pattern === PID_PATTERN) return 'not a pid (a decimal process id)';
  return `must match the pattern ${pattern}`;
}

/** Turn one ajv error into a field pointer and a sentence; null for errors that only restate another. */
function describe(e: ErrorObject, root: unknown): FieldProblem | null {
  const at = e.instancePath === '' ? '' : e.instancePath;
  const p = e.params as Record<string, unknown>;
  const value = valueAt(root, e.instancePath);
  switch (e.keyword) {
    case 'if':
    case 'propertyNames':
      // `if` restates the branch's own error; `propertyNames` restates the name's error
      return null;
    case 'required':
      return { field: `${at}/${escapePointer(String(p.missingProperty))}`, message: 'missing required field' };
    case 'additionalProperties':
      return { field: `${at}/${escapePointer(String(p.additionalProperty))}`, message: `unknown field (not in the closed shape of ${at || 'the top level'})` };
    case 'type':
      return { field: at || '/', message: `must be ${typeList(p.type)}, got ${jsonType(value)}` };
    case 'enum':
      return { field: at || '/', message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}` };
    case 'const':
      return { field: at || '/', message: `must be ${JSON.stringify(p.allowedValue)}, got ${JSON.stringify(value)}` };
    case 'pattern': {
      if (e.propertyName !== undefined) return { field: `${at}/${escapePointer(e.propertyName)}`, message: patternHint(String(p.pattern)) };
      return { field: at || '/', message: `${JSON.stringify(value)}: ${patternHint(String(p.pattern))}` };
    }
    case 'format':
      return { field: at || '/', message: `${JSON.stringify(value)} is not a valid ${String(p.format)}${p.format === 'date-time' ? ' (ISO 8601 with an offset, e.g. 2025-01-31T12:00:00.000+00:00)' : ''}` };
    case 'maximum':
    case 'minimum':
    case 'exclusiveMaximum':
    case 'exclusiveMinimum': {
      const limit = Number(p.limit);
      const exact = Math.abs(limit) === Number.MAX_SAFE_INTEGER ? ' (the largest integer a double holds exactly)' : '';
      const bound = { maximum: 'at most', minimum: 'at least', exclusiveMaximum: 'below', exclusiveMinimum: 'above' }[e.keyword];
      return { field: at || '/', message: `must be ${bound} ${limit}${exact}, got ${String(value)}` };
    }
    case 'minProperties':
      return { field: at || '/', message: Number(p.limit) === 1 ? 'must not be empty (a key with nothing measured is left out)' : `must have at least ${String(p.limit)} fields` };
    case 'minItems':
      return { field: at || '/', message: `must have at least ${String(p.limit)} item${Number(p.limit) === 1 ? '' : 's'}` };
    case 'minLength':
      return { field: at || '/', message: Number(p.limit) === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters` };
    case 'uniqueItems':
      return { field: at || '/', message: `items ${String(p.j)} and ${String(p.i)} are the same; items must be unique` };
    default: {
      if (e.propertyName !== undefined) return { field: `${at}/${escapePointer(e.propertyName)}`, message: `field name ${e.message ?? 'is invalid'}` };
      return { field: at || '/', message: e.message ?? `fails ${e.keyword}` };
    }
  }
}

/** The value a JSON pointer names inside `root` (undefined when absent). */
export function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function isConditional(e: ErrorObject): boolean {
  return /\/(then|else)\//.test(e.schemaPath);
}

/** A conditional rule's own description (e.g. "a finished run has an end_time"), so its error says why it applies. */
function withCondition(e: ErrorObject, d: FieldProblem): FieldProblem {
  const why = (e.parentSchema as { description?: unknown } | undefined)?.description;
  return isConditional(e) && typeof why === 'string' ? { ...d, message: `${d.message}: ${why}` } : d;
}

/**
 * ajv's errors for one document, one line each, duplicates dropped. A conditional rule's
 * error is dropped where the field already breaks an unconditional one (one fault, one line).
 */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined, root: unknown): FieldProblem[] {
  const all = (errors ?? []).flatMap((e) => {
    const d = describe(e, root);
    return d ? [{ d: withCondition(e, d), conditional: isConditional(e) }] : [];
  });
  const plainFields = new Set(all.filter((x) => !x.conditional).map((x) => x.d.field));
  const out: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const { d, conditional } of all) {
    if (conditional && plainFields.has(d.field)) continue;
    const key = `${d.field}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
