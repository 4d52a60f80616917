import { viewerParser } from './yargs-base.js';
import { existsSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import { wantColors } from '../config/colors.js';
import { didYouMean } from './suggest.js';
import { DuctError, ExitCode } from '../errors.js';
import { CONDUCT_SUMMARY_FIELDS } from '../files/legacy/conduct-names.js';
import { collectFields, CONDUCT_LS_FIELDS, DEFAULT_FIELDS, fieldCatalog, fieldUnit, fieldValue, RUN_FIELDS, type ListedRun } from '../view/fields.js';
import { compileFilter } from '../view/filter/evaluate.js';
import { formatRows, LS_FORMATS, type LsFormat, type Row } from '../view/formats.js';
import { listRuns } from '../view/list-runs.js';
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
}

function splitList(values: readonly (string | number)[] | undefined): string[] {
  return (values ?? []).flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter((s) => s !== '');
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
    .option('fields', { alias: 'F', type: 'string', array: true, describe: 'fields to show, comma-separated (`--fields help` lists them)' })
    .option('filter', { type: 'string', describe: "keep runs matching an expression, e.g. 'exit_code != 0 and cgroup_mem_peak > 2GiB'" })
    .option('eval-filter', { alias: 'e', type: 'string', hidden: true })
    .option('sort', { alias: 's', type: 'string', describe: 'sort by a field (default: path, i.e. start order for default prefixes)' })
    .option('reverse', { alias: 'r', type: 'boolean', default: false, describe: 'reverse the order' })
    .option('stats', { type: 'boolean', default: false, describe: 'median, p95 and max of each figure over the selected runs' })
    .option('group-by', { type: 'string', describe: 'with --stats: one group per value of this field (e.g. command)' })
    .option('index', { type: 'string', describe: 'index file (default: <first path>/.duct-index.sqlite)' })
    .option('colors', { type: 'boolean', describe: 'color the output (default: on a terminal, unless NO_COLOR is set); --no-colors or DUCT_COLORS=0: never' })
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
  const { runs: indexed } = await listRuns({
    paths: plan.paths,
    ...(plan.indexPath ? { indexPath: plan.indexPath } : {}),
    ...(io.progress ? { progress: io.progress } : {}),
    warn,
  });
  // paths as people give them: relative to the working directory when under it (con-duct shows them so too)
  const cwd = process.cwd().endsWith(sep) ? process.cwd() : process.cwd() + sep;
  const display = (p: string): string => (p.startsWith(cwd) ? p.slice(cwd.length) : p);
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

/** Run an ls plan: output to stdout, warnings (and progress, on a terminal) to stderr. */
export async function runLs(plan: LsPlan): Promise<number> {
  const io: LsIo = { warn: (m) => void process.stderr.write(`duct: warning: ${m}\n`) };
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
