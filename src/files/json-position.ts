import { parseDocument, type Document } from 'yaml';
import { lineAt } from './json-text.js';

/**
 * Line numbers for JSON pointers in a multi-line JSON text. JSON is YAML, and the yaml
 * package keeps each node's source range, so a pointer maps back to the line it sits on.
 */
export class JsonPositions {
  private doc: Document | undefined;
  constructor(private readonly text: string) {}

  private document(): Document {
    this.doc ??= parseDocument(this.text, { schema: 'json', uniqueKeys: false });
    return this.doc;
  }

  /** 1-based line of the value a pointer names, or of its nearest existing ancestor; 1 when unknown. */
  lineOf(pointer: string): number {
    if (!this.text.includes('\n')) return 1;
    const path = pointer === '' || pointer === '/' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const doc = this.document();
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) return lineAt(this.text, range[0]);
    }
    return 1;
  }

  /** 1-based line of the first syntax error as the yaml parser sees it, when it finds one. */
  syntaxErrorLine(): number | undefined {
    const err = this.document().errors[0];
    return err?.linePos?.[0].line;
  }
}
