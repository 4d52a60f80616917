import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import yargs from 'yargs';
import { DuctError, ExitCode } from '../errors.js';
import { collectFields, DEFAULT_FIELDS, fieldCatalog, fieldUnit, fieldValue, RUN_FIELDS, type ListedRun } from '../view/fields.js';
import { compileFilter } from '../view/filter/evaluate.js';
import { formatRows, LS_FORMATS, type LsFormat, type Row } from '../view/formats.js';
import { listRuns } from '../view/list-runs.js';
import { usageFailure } from './main.js';

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

export function parseLsArgs(argv: string[]): LsPlan {
  const args = yargs(argv)
    .scriptName('duct ls')
    .command('$0 [paths..]', 'List the runs found under PATHS (default: .duct/logs), duct runs and con-duct 0.2.x runs alike.', (y) =>
      y.positional('paths', { type: 'string', array: true, describe: 'directories of runs (searched recursively) or info.json files' }),
    )
    .strict()
    .fail(usageFailure)
    .help()
    .version(false)
    .option('format', { alias: 'f', choices: LS_FORMATS, default: 'summaries' as LsFormat, describe: 'output format; json, json_pp and yaml hold raw numbers (bytes, seconds, percent)' })
    .option('fields', { alias: 'F', type: 'string', array: true, describe: 'fields to show, comma-separated (`--fields help` lists them)' })
    .option('filter', { type: 'string', describe: "keep runs matching an expression, e.g. 'exit_code != 0 and cgroup_mem_peak > 2GiB'" })
    .option('eval-filter', { type: 'string', hidden: true })
    .option('sort', { alias: 's', type: 'string', describe: 'sort by a field (default: path, i.e. start order for default prefixes)' })
    .option('reverse', { alias: 'r', type: 'boolean', default: false, describe: 'reverse the order' })
    .option('stats', { type: 'boolean', default: false, describe: 'median, p95 and max of each figure over the selected runs' })
    .option('group-by', { type: 'string', describe: 'with --stats: one group per value of this field (e.g. command)' })
    .option('index', { type: 'string', describe: 'index file (default: <first path>/.duct-index.sqlite)' })
    .option('colors', { type: 'boolean', describe: 'color the output even when stdout is not a terminal' })
    .example("duct ls -f pyout --filter 'exit_code != 0 and cgroup_mem_peak > 2GiB'", 'failed runs that peaked above 2 GiB, as a table')
    .example('duct ls --stats --group-by command', 'median, p95 and max per command')
    .parseSync();
  if (args['eval-filter'] !== undefined) {
    throw new DuctError('E_USAGE', '--eval-filter runs Python in con-duct; duct never evaluates code: use --filter with its expression language (see `duct ls --help`)');
  }
  const fields = splitList(args.fields);
  if (args['group-by'] !== undefined && !args.stats) throw new DuctError('E_USAGE', '--group-by works with --stats (add --stats)');
  const paths = ((args.paths as unknown as string[] | undefined) ?? []).map(String);
  return {
    paths: paths.length ? paths : [DEFAULT_RUNS_DIR],
    defaultPaths: paths.length === 0,
    format: args.format,
    fields: fields.includes('help') ? 'help' : fields.length ? fields : null,
    filter: args.filter ?? null,
    sort: args.sort ?? null,
    reverse: args.reverse,
    stats: args.stats,
    groupBy: args['group-by'] ?? null,
    indexPath: args.index ?? null,
    colors: args.colors ?? process.stdout.isTTY === true,
  };
}

/** Sort order: numbers and text ascending, runs lacking the field last. */
function compareValues(a: unknown, b: unknown): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function fieldsHelp(fields: Map<string, string | undefined>): string {
  const width = Math.max(...[...fields.keys()].map((k) => k.length));
  return [...fields].map(([name, unit]) => `${name.padEnd(width)}  ${(unit ?? '').padEnd(8)}  ${RUN_FIELDS[name]?.about ?? 'measurement figure'}\n`).join('');
}

function checkFieldNames(names: readonly string[], known: Map<string, unknown>, option: string): void {
  const catalog = fieldCatalog(known as Map<string, undefined>);
  for (const n of names) {
    if (!catalog.known(n)) throw new DuctError('E_OPTION_VALUE', `${option}: unknown field '${n}' (\`duct ls --fields help\` lists the fields)`);
  }
}

/** Run an ls plan, writing to stdout and warnings to stderr. */
export async function runLs(plan: LsPlan): Promise<number> {
  if (plan.defaultPaths && !existsSync(plan.paths[0]!)) {
    if (plan.fields === 'help') process.stdout.write(fieldsHelp(collectFields([])));
    else process.stdout.write(plan.stats ? await (await import('../view/stats.js')).formatStats([], plan.format, plan.groupBy !== null) : await formatRows(plan.format, [], [], { colors: false }));
    return ExitCode.ok;
  }
  const warn = (m: string): void => void process.stderr.write(`duct: warning: ${m}\n`);
  const tty = process.stderr.isTTY === true;
  const { runs } = await listRuns({
    paths: plan.paths,
    ...(plan.indexPath ? { indexPath: plan.indexPath } : {}),
    ...(tty ? { progress: (done: number, total: number) => void process.stderr.write(`\rindexing runs: ${done}/${total}${done === total ? '\r\u001b[K' : ''}`) } : {}),
    warn,
  });
  const known = collectFields(runs);
  if (plan.fields === 'help') {
    process.stdout.write(fieldsHelp(known));
    return ExitCode.ok;
  }
  if (plan.fields) checkFieldNames(plan.fields, known, '--fields');
  if (plan.sort) checkFieldNames([plan.sort], known, '--sort');
  if (plan.groupBy) checkFieldNames([plan.groupBy], known, '--group-by');

  // a run whose info.json could not be parsed has nothing to list: warn and show the rest
  const readable = runs.filter((r) => {
    if (Object.keys(r.summary).length > 0) return true;
    for (const w of r.warnings) warn(`${w} (in ${dirname(r.path)})`);
    return false;
  });
  let selected: ListedRun[] = readable;
  if (plan.filter !== null) {
    const filter = compileFilter(plan.filter, fieldCatalog(known));
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
    process.stdout.write(await formatStats(computeStats(selected, fields, plan.groupBy), plan.format, plan.groupBy !== null));
    return ExitCode.ok;
  }
  const fields = plan.fields ?? [...DEFAULT_FIELDS];
  const rows: Row[] = selected.map((r) => ({
    values: Object.fromEntries(fields.map((f) => [f, fieldValue(r, f)])),
    units: Object.fromEntries(fields.map((f) => [f, fieldUnit(r, f)])),
  }));
  process.stdout.write(await formatRows(plan.format, rows, fields, { colors: plan.colors }));
  return ExitCode.ok;
}

export function run(argv: string[]): Promise<number> {
  return runLs(parseLsArgs(argv));
}
