import Database from 'better-sqlite3';
import { QUICK_FIELDS, type ListedRun, type QuickField } from './fields.js';
import type { FieldValue } from './filter/evaluate.js';

/** A run from the index whose summary is parsed only when a field outside QUICK_FIELDS is asked for. */
export class IndexedRun implements ListedRun {
  private parsed: ListedRun['summary'] | undefined;
  readonly quick: Partial<Record<QuickField, FieldValue>>;
  /** the path the index knows it by (`path` may be rewritten for display). */
  private readonly indexKey: string;
  constructor(
    public path: string,
    public format: ListedRun['format'],
    public prefix: string,
    /** the summary's JSON, or a loader that fetches it (all runs' at once) when first needed. */
    private readonly summarySource: string | SummaryLoader,
    public units: ListedRun['units'],
    public warnings: string[],
    public readable: boolean,
    quick: readonly FieldValue[],
  ) {
    this.indexKey = path;
    this.quick = {};
    QUICK_FIELDS.forEach((f, i) => {
      this.quick[f] = quick[i] ?? null;
    });
  }
  get summary(): ListedRun['summary'] {
    if (this.parsed === undefined) {
      const json = typeof this.summarySource === 'string' ? this.summarySource : this.summarySource.get(this.indexKey);
      this.parsed = json === undefined ? {} : (JSON.parse(json) as ListedRun['summary']);
    }
    return this.parsed;
  }
}

/**
 * Summaries are the bulk of the index; a plain listing needs none of them (QUICK_FIELDS
 * serve it), so they are read only when a filter, sort or field asks, all in one query.
 */
export class SummaryLoader {
  private cache: Map<string, string> | undefined;
  constructor(
    private readonly dbPath: string,
    private readonly fresh: ReadonlyMap<string, string>,
  ) {}
  get(path: string): string | undefined {
    if (!this.cache) {
      this.cache = new Map(this.fresh);
      const db = new Database(this.dbPath, { readonly: true, fileMustExist: true });
      try {
        for (const [p, json] of db.prepare('SELECT path, summary FROM runs').raw().all() as [string, string][]) {
          if (!this.cache.has(p)) this.cache.set(p, json);
        }
      } finally {
        db.close();
      }
    }
    return this.cache.get(path);
  }
}
