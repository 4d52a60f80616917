import { yargs } from './yargs-base.js';
import { isAbsolute, relative, sep } from 'node:path';
import { DuctError, ExitCode } from '../errors.js';
import { escapeControl } from '../format/escape.js';
import { findRuns, readRun } from '../files/run-reader.js';
import { toRecommendRun } from '../slurm/from-run-view.js';
import { parseHeadroom } from '../slurm/headroom.js';
import { recommend, type RecommendRun } from '../slurm/recommend.js';
import { formatGroup } from '../slurm/report-text.js';
import { commentLine } from '../slurm/sbatch-format.js';
import { usageFailure } from './main.js';

/** The command line resolved: what to read and how to size. */
export interface RecommendPlan {
  paths: string[];
  groupBy: string;
  headroom: number;
  cpuQuantile: number;
  json: boolean;
}

const DEFAULT_PATHS = ['.duct/logs'];

function parsePercentile(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > 100) {
    throw new DuctError('E_OPTION_VALUE', `invalid --cpu-percentile '${text}': give a number above 0 and at most 100, e.g. 95`);
  }
  return n / 100;
}

/** Parse argv into a plan; usage errors exit 2. */
export async function parseRecommendArgs(argv: string[]): Promise<RecommendPlan> {
  const args = await yargs(argv)
    .scriptName('duct recommend')
    .usage('Usage: duct recommend [PATHS...] [OPTIONS]\n\nSize SLURM requests (--mem, --cpus-per-task, --time) from past runs.')
    .command('$0 [paths..]', false)
    .positional('paths', { type: 'string', array: true })
    .strict()
    .fail(usageFailure)
    .option('group-by', {
      type: 'string',
      default: 'command',
      describe: 'group runs by a summary field (command, message, hostname, ...), a recorded SLURM_* variable, or `none`',
    })
    .option('headroom', { type: 'string', default: '20%', describe: 'added to the memory peak and the longest wall time' })
    .option('cpu-percentile', { type: 'string', default: '95', describe: 'percentile of the total CPU rate that sizes --cpus-per-task' })
    .option('json', { type: 'boolean', default: false, describe: 'print the recommendations as JSON (stable, for scripts)' })
    .example('duct recommend logs/', 'one #SBATCH line per command run under logs/')
    .example('duct recommend --group-by SLURM_JOB_NAME --headroom 10% --json logs/', 'per job name, 10% headroom, as JSON')
    .epilog(
      'PATHS are directories searched for runs (<prefix>info.json) or info.json files; default .duct/logs.\n' +
        'Memory comes from cgroup_mem_peak where measured, else the best memory key present; CPUs from the\n' +
        'percentile of the total CPU rate over every usage window, rounded up to whole cores (no headroom);\n' +
        'time from the longest run, rounded up to whole minutes. Runs that used under half of their recorded\n' +
        'SLURM request are flagged as waste.',
    )
    .help()
    .version(false)
    .parse();
  const paths = (args.paths ?? []).map(String);
  return {
    paths: paths.length > 0 ? paths : DEFAULT_PATHS,
    groupBy: args['group-by'],
    headroom: parseHeadroom(args.headroom),
    cpuQuantile: parsePercentile(args['cpu-percentile']),
    json: args.json,
  };
}

/** A run's prefix as the user would type it: relative to the working directory when under it. */
function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  const tail = abs.endsWith(sep) ? sep : '';
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? abs : `${rel}${tail}`;
}

async function loadRuns(plan: RecommendPlan, warn: (msg: string) => void): Promise<RecommendRun[]> {
  const runs: RecommendRun[] = [];
  for await (const infoPath of findRuns(plan.paths, { warn })) {
    const view = await readRun(infoPath);
    const run = await toRecommendRun(view, plan.groupBy);
    run.prefix = displayPath(run.prefix);
    for (const w of view.warnings) warn(`${infoPath}: ${w}`);
    runs.push(run);
  }
  return runs;
}

/** `duct recommend [PATHS...]`: an #SBATCH line per group of past runs. */
export async function run(argv: string[]): Promise<number> {
  const plan = await parseRecommendArgs(argv);
  const warn = (msg: string): void => void process.stderr.write(`duct: warning: ${escapeControl(msg)}\n`);
  const runs = await loadRuns(plan, warn);
  const where = plan.paths.join(' ');
  if (runs.length === 0) {
    throw new DuctError('E_NO_RUNS', `no runs found under ${where} (looked for <prefix>info.json files)`);
  }
  if (plan.groupBy !== 'none' && runs.every((r) => r.group === `(no ${plan.groupBy})`)) {
    throw new DuctError(
      'E_OPTION_VALUE',
      `invalid --group-by '${plan.groupBy}': no run under ${where} has it; use a summary field (command, message, hostname, ...), a recorded SLURM_* variable, or none`,
    );
  }
  const { groups, unmeasured } = recommend(runs, { headroom: plan.headroom, cpu_quantile: plan.cpuQuantile });
  if (groups.length === 0) {
    throw new DuctError(
      'E_NO_RUNS',
      `none of the ${runs.length} runs under ${where} is finished with a memory measurement (cgroup_mem_peak, proc_pss_total, proc_rss_total, ps_rss_total, ...): nothing to size from`,
    );
  }
  if (plan.json) {
    const out = { headroom: plan.headroom, cpu_percentile: plan.cpuQuantile * 100, group_by: plan.groupBy, runs: runs.length, groups, unmeasured };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return ExitCode.ok;
  }
  const blocks = groups.map((g) => formatGroup(g, plan.headroom, plan.cpuQuantile).join('\n'));
  for (const u of unmeasured) blocks.push(commentLine(`${u}: not sized, no finished run with a memory measurement`));
  process.stdout.write(`${blocks.join('\n\n')}\n`);
  return ExitCode.ok;
}
