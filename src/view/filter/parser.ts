import { FilterError } from './filter-error.js';
import { tokenize, type LiteralKind, type Op, type Token } from './lexer.js';

export type Operand =
  | { type: 'field'; name: string; col: number }
  | { type: 'literal'; kind: LiteralKind; value: number; col: number; text: string }
  | { type: 'literal'; kind: 'string'; value: string; col: number; text: string }
  | { type: 'literal'; kind: 'bool'; value: boolean; col: number; text: string }
  | { type: 'literal'; kind: 'null'; value: null; col: number; text: string };

export type FilterExpr =
  | { type: 'or' | 'and'; left: FilterExpr; right: FilterExpr }
  | { type: 'not'; operand: FilterExpr }
  | { type: 'compare'; op: Op; left: Operand; right: Operand; col: number }
  /** a bare field: true when present and not null, false, 0 or "". */
  | { type: 'truthy'; field: Extract<Operand, { type: 'field' }> };

/** A unit a number takes (SIZE, DURATION), as a separate word. */
const UNIT_WORD = /^(B|KiB|MiB|GiB|TiB|kB|KB|MB|GB|TB|ms|s|m|h|d)$/;

/**
 * Parse a filter expression. Grammar (lowest precedence first):
 *   expr    := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | primary
 *   primary := '(' expr ')' | operand (OP operand)?
 *   OP      := == | = | != | < | <= | > | >= | ~ | !~
 */
/** Deepest nesting of parentheses and `not` a filter may have: far beyond a person's, far below the stack's. */
export const MAX_FILTER_DEPTH = 100;
/** Most `and`/`or` terms: the tree they make is evaluated recursively too. */
export const MAX_FILTER_TERMS = 1000;

export function parseFilter(src: string): FilterExpr {
  const tokens = tokenize(src);
  let pos = 0;
  let depth = 0;
  let terms = 0;
  const deeper = (t: Token): void => {
    if (++depth > MAX_FILTER_DEPTH) throw new FilterError(src, t.col, `nested deeper than ${MAX_FILTER_DEPTH} levels of parentheses and 'not'`);
  };
  const anotherTerm = (t: Token): void => {
    if (++terms >= MAX_FILTER_TERMS) throw new FilterError(src, t.col, `more than ${MAX_FILTER_TERMS} terms joined by 'and'/'or'`);
  };
  const peek = (): Token => tokens[pos]!;
  const next = (): Token => tokens[pos++]!;
  const describe = (t: Token): string => (t.type === 'end' ? 'end of input' : `'${t.text}'`);
  const isKw = (t: Token, word: string): boolean => t.type === 'kw' && t.word === word;

  function parseOr(): FilterExpr {
    let left = parseAnd();
    while (isKw(peek(), 'or')) {
      anotherTerm(next());
      left = { type: 'or', left, right: parseAnd() };
    }
    return left;
  }
  function parseAnd(): FilterExpr {
    let left = parseUnary();
    while (isKw(peek(), 'and')) {
      anotherTerm(next());
      left = { type: 'and', left, right: parseUnary() };
    }
    return left;
  }
  function parseUnary(): FilterExpr {
    if (isKw(peek(), 'not')) {
      deeper(next());
      const operand = parseUnary();
      depth--;
      return { type: 'not', operand };
    }
    return parsePrimary();
  }
  function parsePrimary(): FilterExpr {
    const t = peek();
    if (t.type === 'lparen') {
      deeper(next());
      const inner = parseOr();
      depth--;
      const close = next();
      if (close.type !== 'rparen') throw new FilterError(src, close.col, `expected ')' to close '(' at column ${t.col}, got ${describe(close)}`);
      return inner;
    }
    const left = parseOperand('a field, a value or \'(\'');
    const opTok = peek();
    if (opTok.type !== 'op') {
      if (left.type === 'field') return { type: 'truthy', field: left };
      throw new FilterError(src, opTok.col, `expected a comparison operator after ${left.text}, got ${describe(opTok)}`);
    }
    next();
    const right = parseOperand(`a field or a value after '${opTok.text}'`);
    return { type: 'compare', op: opTok.op, left, right, col: opTok.col };
  }
  function parseOperand(expected: string): Operand {
    const t = next();
    switch (t.type) {
      case 'ident':
        return { type: 'field', name: t.name, col: t.col };
      case 'num':
        return { type: 'literal', kind: t.kind, value: t.value, col: t.col, text: t.text };
      case 'str':
        return { type: 'literal', kind: 'string', value: t.value, col: t.col, text: t.text };
      case 'kw':
        if (t.word === 'null') return { type: 'literal', kind: 'null', value: null, col: t.col, text: t.text };
        if (t.word === 'true' || t.word === 'false') return { type: 'literal', kind: 'bool', value: t.word === 'true', col: t.col, text: t.text };
        break;
      default:
        break;
    }
    throw new FilterError(src, t.col, `expected ${expected}, got ${describe(t)}`);
  }

  const expr = parseOr();
  const rest = peek();
  if (rest.type !== 'end') {
    const before = tokens[pos - 1];
    // `1 GiB`: the unit is part of the number
    if (rest.type === 'ident' && UNIT_WORD.test(rest.name) && before?.type === 'num' && before.kind === 'number') {
      throw new FilterError(src, rest.col, `a size, duration or percent is written without a space: ${before.text}${rest.name}, not ${before.text} ${rest.name}`);
    }
    throw new FilterError(src, rest.col, `expected 'and', 'or' or end of input, got ${describe(rest)}`);
  }
  return expr;
}
