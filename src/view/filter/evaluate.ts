import type { Unit } from '../../aggregation/types.js';
import { FilterError } from './filter-error.js';
import type { LiteralKind } from './lexer.js';
import { parseFilter, type FilterExpr, type Operand } from './parser.js';

export type FieldValue = number | string | boolean | null;

/** What the filter reads of one run: a field's value (null when absent). */
export type FieldLookup = (name: string) => FieldValue;

/** Which unit each typed literal needs of the field it is compared with. */
const LITERAL_UNIT: Record<Exclude<LiteralKind, 'number'>, readonly Unit[]> = {
  bytes: ['bytes'],
  seconds: ['seconds'],
  percent: ['percent'],
};

export interface FieldCatalog {
  /** is `name` a field a run may have (even if none of the selected runs has it)? */
  known(name: string): boolean;
  /** the unit of a numeric field, when known. */
  unit(name: string): Unit | undefined;
}

/** A parsed, checked filter, ready to test runs. */
export interface CompiledFilter {
  expr: FilterExpr;
  test(lookup: FieldLookup): boolean;
}

/** Parse and check `src` against the known fields: unknown fields and unit mismatches fail with their column. */
export function compileFilter(src: string, catalog: FieldCatalog): CompiledFilter {
  const expr = parseFilter(src);
  check(expr, src, catalog);
  return { expr, test: (lookup) => evaluate(expr, lookup) };
}

function check(e: FilterExpr, src: string, catalog: FieldCatalog): void {
  switch (e.type) {
    case 'or':
    case 'and':
      check(e.left, src, catalog);
      check(e.right, src, catalog);
      return;
    case 'not':
      check(e.operand, src, catalog);
      return;
    case 'truthy':
      checkField(e.field, src, catalog);
      return;
    case 'compare':
      for (const o of [e.left, e.right]) if (o.type === 'field') checkField(o, src, catalog);
      checkUnits(e.left, e.right, src, catalog);
      checkUnits(e.right, e.left, src, catalog);
      if ((e.op === '~' || e.op === '!~') && [e.left, e.right].some((o) => o.type === 'literal' && o.kind !== 'string')) {
        throw new FilterError(src, e.col, `'${e.op}' tests whether text contains text; compare it with a quoted string`);
      }
  }
}

function checkField(f: Extract<Operand, { type: 'field' }>, src: string, catalog: FieldCatalog): void {
  if (!catalog.known(f.name)) {
    throw new FilterError(src, f.col, `unknown field '${f.name}' (\`duct ls --fields help\` lists the fields)`);
  }
}

function checkUnits(field: Operand, literal: Operand, src: string, catalog: FieldCatalog): void {
  if (field.type !== 'field' || literal.type !== 'literal') return;
  if (literal.kind === 'number' || literal.kind === 'string' || literal.kind === 'bool' || literal.kind === 'null') return;
  const unit = catalog.unit(field.name);
  if (unit !== undefined && !LITERAL_UNIT[literal.kind].includes(unit)) {
    throw new FilterError(src, literal.col, `${literal.text} is ${articled(literal.kind)} but ${field.name} is in ${unit}`);
  }
}

function articled(kind: Exclude<LiteralKind, 'number'>): string {
  return { bytes: 'a size', seconds: 'a duration', percent: 'a percentage' }[kind];
}

function operandValue(o: Operand, lookup: FieldLookup): FieldValue {
  return o.type === 'field' ? lookup(o.name) : o.value;
}

/** Evaluate: `==`/`!=` are plain equality (null equals only null); ordering and `~` are false when a side is null or the types differ. */
export function evaluate(e: FilterExpr, lookup: FieldLookup): boolean {
  switch (e.type) {
    case 'or':
      return evaluate(e.left, lookup) || evaluate(e.right, lookup);
    case 'and':
      return evaluate(e.left, lookup) && evaluate(e.right, lookup);
    case 'not':
      return !evaluate(e.operand, lookup);
    case 'truthy': {
      const v = lookup(e.field.name);
      return v !== null && v !== false && v !== 0 && v !== '';
    }
    case 'compare': {
      const a = operandValue(e.left, lookup);
      const b = operandValue(e.right, lookup);
      switch (e.op) {
        case '==':
          return a === b;
        case '!=':
          return a !== b;
        case '~':
        case '!~': {
          if (typeof a !== 'string' || typeof b !== 'string') return false;
          return a.includes(b) === (e.op === '~');
        }
        default: {
          const comparable = (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
          if (!comparable) return false;
          if (e.op === '<') return a < b;
          if (e.op === '<=') return a <= b;
          if (e.op === '>') return a > b;
          return a >= b;
        }
      }
    }
  }
}
