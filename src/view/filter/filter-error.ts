import { DuctError } from '../../errors.js';

/**
 * A filter expression that cannot be parsed or checked. `column` is 1-based; the message
 * names it, and `pointer()` draws the expression with a caret under it for people.
 */
export class FilterError extends DuctError {
  readonly column: number;
  readonly expression: string;
  readonly reason: string;
  constructor(expression: string, column: number, reason: string) {
    const caret = `${' '.repeat(Math.max(0, column - 1))}^`;
    super('E_FILTER_SYNTAX', `--filter, column ${column}: ${reason}\n  ${expression}\n  ${caret}`);
    this.name = 'FilterError';
    this.column = column;
    this.expression = expression;
    this.reason = reason;
  }
}
