import { helpWidth, yargs } from './yargs-base.js';
import { resolveTargets, type ValidateTarget } from '../files/find-runs.js';
import { errorCount, formatProblem, type RunCheck } from '../files/problems.js';
import { validateFile, validateRun } from '../files/validate-run.js';
import { ExitCode } from '../errors.js';
import { SCHEMA_VERSION } from '../files/info.js';
import { usageFailure } from './main.js';

const EXAMPLE = 'duct validate .duct/logs/';

interface ValidatePlan {
  paths: string[];
  quiet: boolean;
}

function parse(argv: string[]): ValidatePlan {
  const args = yargs(argv)
    .scriptName('duct validate')
    .usage(
      'Usage: duct validate PATH...\n\n' +
        "Check a run's files (info.json, usage.jsonl, events.jsonl) against schema/. PATH is an output prefix,\n" +
        'a directory of runs (searched recursively), or one file. Problems are printed as `file:line: field: what is wrong`;\n' +
        'a torn last line of a JSON-lines file is a warning. con-duct 0.2.x runs are checked against con-duct\'s own rules.\n' +
        'Exit status: 0 all valid, 1 a file is invalid, 2 a usage error or a PATH with no run.',
    )
    .example(EXAMPLE, 'check every run under .duct/logs/')
    .example('duct validate .duct/logs/2025.01.31T12.00.00-4242_', 'check one run by its prefix')
    .option('quiet', { alias: 'q', type: 'boolean', default: false, description: 'print only problems, not the line per valid run' })
    .strictOptions()
    .help()
    .version(false)
    .wrap(helpWidth())
    .fail(usageFailure)
    .parseSync();
  const paths = args._.map(String);
  if (paths.length === 0) usageFailure(`duct validate needs a PATH (a run's output prefix, a directory of runs, or a file), e.g. \`${EXAMPLE}\``, null);
  return { paths, quiet: args.quiet };
}

function verdict(check: RunCheck): string {
  const errors = errorCount(check);
  const warnings = check.problems.length - errors;
  const counts = [errors ? `${errors} error${errors > 1 ? 's' : ''}` : '', warnings ? `${warnings} warning${warnings > 1 ? 's' : ''}` : ''].filter(Boolean).join(', ');
  const files = check.files.map((f) => (f.records === undefined ? basenameOf(f.path) : `${basenameOf(f.path)} (${f.records} record${f.records === 1 ? '' : 's'})`)).join(', ');
  const what =
    check.format === 'con-duct-0.2'
      ? `legacy con-duct run (schema ${check.schemaVersion ?? '?'}), checked against con-duct 0.2.x rules`
      : `duct schema ${check.schemaVersion ?? SCHEMA_VERSION}`;
  return `${check.target}: ${errors ? 'INVALID' : 'valid'}: ${what}${files ? `; ${files}` : ''}${counts ? `; ${counts}` : ''}`;
}

function basenameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

async function check(target: ValidateTarget): Promise<RunCheck> {
  return target.type === 'run' ? validateRun(target.prefix) : validateFile(target.path, target.kind);
}

/** `duct validate PATH...`: every problem on stdout, one verdict line per run; exit 0 only when all are valid. */
export async function run(argv: string[]): Promise<number> {
  const plan = parse(argv);
  const targets: ValidateTarget[] = [];
  // every PATH is resolved first, so a typo fails before any output
  for (const p of plan.paths) targets.push(...(await resolveTargets(p)));
  let invalid = 0;
  for (const t of targets) {
    const result = await check(t);
    for (const p of result.problems) process.stdout.write(`${formatProblem(p)}\n`);
    if (errorCount(result) > 0) invalid++;
    if (!plan.quiet || errorCount(result) > 0) process.stdout.write(`${verdict(result)}\n`);
  }
  if (targets.length > 1 && !plan.quiet) process.stdout.write(`${targets.length - invalid} of ${targets.length} valid\n`);
  return invalid > 0 ? ExitCode.failure : ExitCode.ok;
}
