import { viewerParser } from './yargs-base.js';
import { existsSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import { wantColors } from '../config/colors.js';
import { didYouMean } from './suggest.js';
import { DuctError, ExitCode } from '../errors.js';
import { escapeControl } from '../format/escape.js';
import { CONDUCT_SUMMARY_FIELDS } from '../files/legacy/conduct-names.js';
import { collectFields, CONDUCT_LS_FIELDS, DEFAULT_FIELDS, fieldCatalog, fieldUnit, fieldValue, RUN_FIELDS, type ListedRun } from '../view/fields.js';
import { compileFilter } from '../view/filter/evaluate.js';
import { INFO_SUFFIX } from '../files/run-reader.js';
import type { FieldValue } from '../view/filter/evaluate.js';
import { formatRows, LS_FORMATS, MachineJson, STREAMED_FORMATS, type LsFormat, type Row } from '../view/formats.js';
import { listRunRows, listRuns } from '../view/list-runs.js';
import { INDEX_COLUMNS, type IndexColumn } from '../view/run-index.js';
import { ignoreBrokenPipe } from '../view/stdout.js';

/** Where runs are by default: the directory of duct's default output prefix. */
export const DEFAULT_RUNS_DIR = '.duct/logs';

/** `duct ls` resolved from its argv: what to list and how. */
export interface LsPlan {
  paths: string[];
  /** true when no path was given (a missing default directory then lists nothing instead of failing). */
  defaultPaths: boolean;
  format: LsFormat;
  /** null: the defaults (or, with --stats, every figure). 'help': list the fields. */
  fields: string[] | null | 'help';
  filter: string | null;
  sort: string | null;
  reverse: boolean;
  stats: boolean;
  groupBy: string | null;
  indexPath: string | null;
  colors: boolean;
  followSymlinks: boolean;
}

/** -F a,b or -F a -F b (one value per -F: a greedy list would take the PATHS after it as fields). */
function splitList(values: string | readonly (string | number)[] | undefined): string[] {
  return (typeof values === 'string' ? [values] : (values ?? [])).flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * con-duct always lists prefix first; a field list naming a con-duct-only field (a con-duct
 * user's habit or script) gets prefix first too unless it places prefix itself.
 */
function withConductPrefix(fields: string[]): string[] {
  const conductOnly = fields.some((f) => Object.hasOwn(CONDUCT_LS_FIELDS, f));
  return conductOnly && !fields.includes('prefix') ? ['prefix', ...fields] : fields;
}

export function parseLsArgs(argv: string[]): LsPlan {
  const args = viewerParser(argv, 'duct ls')
    .command('$0 [paths..]', 'List the runs found under PATHS (default: .duct/logs), duct runs and con-duct 0.2.x runs alike.', (y) =>
      y.positional('paths', { type: 'string', array: true, describe: 'directories of runs (searched recursively) or info.json files' }),
    )
    .option('format', { alias: 'f', choices: LS_FORMATS, default: 'summaries' as LsFormat, describe: 'output format; json, json_pp and yaml hold raw numbers (bytes, seconds, percent)' })
    .option('fields', { alias: 'F', type: 'string', describe: 'fields to show, comma-separated (`--fields help` lists them)' })
    .option('filter', { type: 'string', describe: "keep runs matching an expression, e.g. 'exit_code != 0 and cgroup_mem_peak > 2GiB'" })
    .option('eval-filter', { alias: 'e', type: 'string', hidden: true })
    .option('sort', { alias: 's', type: 'string', describe: 'sort by a field (default: path, i.e. start order for default prefixes)' })
    .option('reverse', { alias: 'r', type: 'boolean', default: false, describe: 'reverse the order' })
    .option('stats', { type: 'boolean', default: false, describe: 'median, p95 and max of each figure over the selected runs' })
    .option('group-by', { type: 'string', describe: 'with --stats: one group per value of this field (e.g. command)' })
    .option('index', { type: 'string', describe: 'index file (default: <first path>/.duct-index.sqlite; a local per-user cache when that directory is on a shared filesystem or read-only)' })
    .option('colors', { type: 'boolean', describe: 'color the output (default: on a terminal, unless NO_COLOR is set); --no-colors or DUCT_COLORS=0: never' })
    .option('follow-symlinks', { type: 'boolean', default: false, describe: 'read *info.json symbolic links whose target is outside the tree (skipped with a warning otherwise)' })
    .example("duct ls -f pyout --filter 'exit_code != 0 and cgroup_mem_peak > 2GiB'", 'failed runs that peaked above 2 GiB, as a table')
    .example('duct ls --stats --group-by command', 'median, p95 and max per command')
    .parseSync();
  if (args['eval-filter'] !== undefined) {
    throw new DuctError('E_USAGE', '-e/--eval-filter runs Python in con-duct; duct never evaluates code: use --filter with its expression language, e.g. --filter "exit_code != 0 and peak_rss > 2GiB" (see `duct ls --help`)');
  }
  const fields = splitList(args.fields);
  if (args['group-by'] !== undefined && !args.stats) throw new DuctError('E_USAGE', '--group-by works with --stats (add --stats)');
  const paths = ((args.paths as unknown as string[] | undefined) ?? []).map(String);
  return {
    paths: paths.length ? paths : [DEFAULT_RUNS_DIR],
    defaultPaths: paths.length === 0,
    format: args.format,
    fields: fields.includes('help') ? 'help' : fields.length ? withConductPrefix(fields) : null,
    filter: args.filter ?? null,
    sort: args.sort ?? null,
    reverse: args.reverse,
    stats: args.stats,
    groupBy: args['group-by'] ?? null,
    indexPath: args.index ?? null,
    colors: wantColors(args.colors, process.env, process.stdout.isTTY === true),
    followSymlinks: args['follow-symlinks'],
  };
}

/** Sort order: numbers and text ascending, runs lacking the field last. */
function compareValues(a: unknown, b: unknown): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

const CONDUCT_ABOUT = new Map(Object.values(CONDUCT_SUMMARY_FIELDS).map((f) => [f.name, f.description]));

function fieldsHelp(fields: Map<string, string | undefined>): string {
  const width = Math.max(...[...fields.keys()].map((k) => k.length));
  const about = (name: string): string =>
    RUN_FIELDS[name]?.about ?? CONDUCT_LS_FIELDS[name]?.about ?? CONDUCT_ABOUT.get(name) ?? (name.endsWith('_mean') ? 'measurement figure: time-weighted mean' : 'measurement figure: peak (gauges, rates) or total (counters)');
  return [...fields].map(([name, unit]) => `${name.padEnd(width)}  ${(unit ?? '').padEnd(8)}  ${about(name)}\n`).join('');
}

function checkFieldNames(names: readonly string[], known: () => ReturnType<typeof collectFields>, option: string): void {
  for (const n of names) {
    // names every run may have pass without looking at the runs
    if (n in RUN_FIELDS || Object.hasOwn(CONDUCT_LS_FIELDS, n)) continue;
    if (!fieldCatalog(known()).known(n)) {
      const hint = didYouMean(n, known().keys());
      throw new DuctError('E_OPTION_VALUE', `${option}: unknown field '${n}'${hint} (\`duct ls --fields help\` lists the fields)`);
    }
  }
}

export interface LsIo {
  /** a warning for people (stderr). */
  warn(message: string): void;
  /** progress while reading runs, shown only on a terminal. */
  progress?: (done: number, total: number) => void;
}

/** Carry out an ls plan and return what goes to stdout (warnings go to io.warn). */
export async function renderLs(plan: LsPlan, io: LsIo): Promise<string> {
  if (plan.defaultPaths && !existsSync(plan.paths[0]!)) {
    if (plan.fields === 'help') return fieldsHelp(collectFields([]));
    return plan.stats ? await (await import('../view/stats.js')).formatStats([], plan.format, plan.groupBy !== null) : await formatRows(plan.format, [], [], { colors: false });
  }
  const warn = io.warn;
  // paths as people give them: relative to the working directory when under it (con-duct shows them so too)
  const cwd = process.cwd().endsWith(sep) ? process.cwd() : process.cwd() + sep;
  const display = (p: string): string => (p.startsWith(cwd) ? p.slice(cwd.length) : p);
  const streamed = streamedListing(plan);
  if (streamed) return renderStreamed(plan, streamed, display, io);
  const { runs: indexed } = await listRuns({
    paths: plan.paths,
    ...(plan.indexPath ? { indexPath: plan.indexPath } : {}),
    ...(io.progress ? { progress: io.progress } : {}),
    warn,
    followSymlinks: plan.followSymlinks,
  });
  // changed in place: a copy would read (and parse) every run's summary
  const runs = indexed;
  for (const r of runs) {
    r.path = display(r.path);
    r.prefix = display(r.prefix);
  }
  // every field any run has: only needed to check names, so not built for a plain listing
  let knownCache: ReturnType<typeof collectFields> | undefined;
  const known = (): ReturnType<typeof collectFields> => (knownCache ??= collectFields(runs));
  if (plan.fields === 'help') return fieldsHelp(known());
  if (plan.fields) checkFieldNames(plan.fields, known, '--fields');
  if (plan.sort) checkFieldNames([plan.sort], known, '--sort');
  if (plan.groupBy) checkFieldNames([plan.groupBy], known, '--group-by');

  // a run whose info.json could not be parsed has nothing to list: warn and show the rest
  const readable = runs.filter((r) => {
    if (r.readable ?? Object.keys(r.summary).length > 0) return true;
    for (const w of r.warnings) warn(`${w} (in ${dirname(r.path)})`);
    return false;
  });
  let selected: ListedRun[] = readable;
  if (plan.filter !== null) {
    const filter = compileFilter(plan.filter, fieldCatalog(known()));
    selected = selected.filter((r) => filter.test((name) => fieldValue(r, name)));
  }
  if (plan.sort) {
    const key = plan.sort;
    selected = [...selected].sort((a, b) => compareValues(fieldValue(a, key), fieldValue(b, key)));
  }
  if (plan.reverse) selected = [...selected].reverse();
  for (const r of selected) for (const w of r.warnings) warn(`${w} (in ${dirname(r.path)})`);

  if (plan.stats) {
    const { computeStats, defaultStatFields, formatStats } = await import('../view/stats.js');
    const fields = plan.fields ?? defaultStatFields(selected);
    return formatStats(computeStats(selected, fields, plan.groupBy), plan.format, plan.groupBy !== null);
  }
  const fields = plan.fields ?? [...DEFAULT_FIELDS];
  const forPeople = plan.format === 'summaries' || plan.format === 'pyout';
  const rows: Row[] = selected.map((r) => {
    const values: Row['values'] = {};
    const units: Row['units'] = {};
    for (const f of fields) {
      values[f] = fieldValue(r, f);
      if (forPeople) units[f] = fieldUnit(r, f);
    }
    return { values, units };
  });
  return formatRows(plan.format, rows, fields, { colors: plan.colors });
}

/** The fields of a plain machine listing that the index holds as columns (or derives from the path), or null when the listing needs the runs' summaries. */
function streamedListing(plan: LsPlan): { fields: readonly string[]; columns: IndexColumn[] } | null {
  if (plan.stats || plan.fields === 'help' || plan.filter !== null || plan.sort !== null || !STREAMED_FORMATS.includes(plan.format)) return null;
  // a field named twice is one key, as in an object
  const fields = [...new Set(plan.fields ?? DEFAULT_FIELDS)];
  const columns = fields.filter((f) => f !== 'path' && f !== 'prefix');
  if (fields.length === 0 || !fields.every((f) => f in RUN_FIELDS) || !columns.every((f) => INDEX_COLUMNS.includes(f))) return null;
  return { fields, columns: [...new Set(columns)] as IndexColumn[] };
}

/** A plain json/json_pp listing straight from the index rows: the same text and warnings as the general path, no run object per run. */
async function renderStreamed(plan: LsPlan, listing: { fields: readonly string[]; columns: IndexColumn[] }, display: (p: string) => string, io: LsIo): Promise<string> {
  const column = new Map(listing.columns.map((c, i) => [c, 3 + i]));
  const { result } = await listRunRows(
    { paths: plan.paths, ...(plan.indexPath ? { indexPath: plan.indexPath } : {}), ...(io.progress ? { progress: io.progress } : {}), warn: io.warn, followSymlinks: plan.followSymlinks },
    listing.columns,
    (rows) => {
      const out = new MachineJson(listing.fields, plan.format === 'json_pp');
      const values: FieldValue[] = listing.fields.map(() => null);
      const later: Array<[dir: string, warnings: string]> = [];
      for (const row of rows) {
        const path = display(row[0]);
        // a run whose info.json could not be parsed has nothing to list: warn (now) and show the rest
        if (row[1] !== 1) {
          if (row[2] !== null) for (const w of JSON.parse(row[2]) as string[]) io.warn(`${w} (in ${dirname(path)})`);
          continue;
        }
        if (row[2] !== null) later.push([dirname(path), row[2]]);
        for (let i = 0; i < listing.fields.length; i++) {
          const f = listing.fields[i]!;
          values[i] = f === 'path' ? path : f === 'prefix' ? display(row[0].slice(0, row[0].length - INFO_SUFFIX.length)) : (row[column.get(f as IndexColumn)!] ?? null);
        }
        out.add(values);
      }
      // the listed runs' own warnings, in the order they are listed
      if (plan.reverse) later.reverse();
      for (const [dir, json] of later) for (const w of JSON.parse(json) as string[]) io.warn(`${w} (in ${dir})`);
      return out.text(plan.reverse);
    },
  );
  return result;
}

/** Run an ls plan: output to stdout, warnings (and progress, on a terminal) to stderr. */
export async function runLs(plan: LsPlan): Promise<number> {
  const io: LsIo = { warn: (m) => void process.stderr.write(`duct: warning: ${escapeControl(m)}\n`) };
  if (process.stderr.isTTY === true) {
    io.progress = (done, total) => void process.stderr.write(`\rindexing runs: ${done}/${total}${done === total ? '\r\u001b[K' : ''}`);
  }
  process.stdout.write(await renderLs(plan, io));
  return ExitCode.ok;
}

export function run(argv: string[]): Promise<number> {
  ignoreBrokenPipe();
  return runLs(parseLsArgs(argv));
}
