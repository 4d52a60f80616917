import { loadEnvFiles } from '../config/env-files.js';
import { resolveRunOptions, RUN_OPTIONS, type OptionSpec } from '../config/run-options.js';
import { renderMeasurementHelp } from '../aggregation/engine.js';
import { resolvePlan } from '../run/plan.js';
import { executeRun } from '../run/runner.js';
import { baseParser } from './yargs-base.js';

const EPILOG = `Every option can also be set as DUCT_<NAME> in the environment (e.g. DUCT_SAMPLE_INTERVAL=0.5) or in a .env file
(/etc/duct/.env, \${XDG_CONFIG_HOME:-~/.config}/duct/.env, .duct/.env, or the ':'-separated DUCT_CONFIG_PATHS);
precedence: command line > environment > .env files > defaults. Everything after COMMAND belongs to COMMAND.`;

/** `duct [run] [OPTIONS] [--] COMMAND [ARGS...]`: parse, resolve to a plan, execute. */
export async function run(argv: string[]): Promise<number> {
  let parser = baseParser(argv, 'duct')
    .usage('Usage: duct [run] [OPTIONS] [--] COMMAND [ARGS...]')
    .parserConfiguration({
      'camel-case-expansion': false,
      'parse-positional-numbers': false,
      'halt-at-non-option': true,
      'populate--': true,
      'boolean-negation': false,
    })
    .example('duct -- python train.py', 'run train.py, measure it, write .duct/logs/<datetime>-<pid>_*')
    .example('duct --measurements default,proc_pss_total -p logs/{hostname}_ -- make -j4', 'add PSS to the default keys')
    .epilog(EPILOG);
  for (const spec of RUN_OPTIONS as readonly OptionSpec[]) {
    parser = parser.option(spec.name, {
      alias: spec.alias,
      describe: spec.describe,
      // numbers are parsed by resolveRunOptions, so a bad one is named as typed (yargs would make it NaN)
      type: spec.type === 'boolean' ? 'boolean' : 'string',
      ...(spec.type === 'choice' ? { choices: spec.choices as string[] } : {}),
      // an empty default means "none": no `[default: ""]`
      ...(spec.default === '' ? {} : { defaultDescription: JSON.stringify(spec.default) }),
      ...(spec.type === 'choice' && spec.upper ? { coerce: (v: string) => v.toUpperCase() } : {}),
    });
  }
  // --no-colors: boolean negation is off (a command's own --no-x must never be read as duct's)
  parser = parser.option('no-colors', { type: 'boolean', describe: 'Never color (also NO_COLOR or DUCT_COLORS=0).' });
  const parsed = await parser.parseAsync();
  if (parsed.help || parsed.version) return 0;
  const command = [...parsed._, ...((parsed['--'] as string[] | undefined) ?? [])].map(String);
  const cli: Record<string, unknown> = {};
  for (const spec of RUN_OPTIONS) if (parsed[spec.name] !== undefined) cli[spec.name] = parsed[spec.name];
  if (parsed['no-colors'] === true) cli['colors'] = false;
  const files = loadEnvFiles(process.env);
  const options = resolveRunOptions(cli, process.env, files);
  if (options.measurements.split(',').map((s) => s.trim()).includes('help')) {
    process.stdout.write(renderMeasurementHelp());
    return 0;
  }
  const plan = resolvePlan(options, command, {
    env: process.env,
    now: new Date(),
    pid: process.pid,
    stderrIsTTY: process.stderr.isTTY === true,
    ...(cli['colors'] !== undefined || process.env.DUCT_COLORS !== undefined || files.values.DUCT_COLORS !== undefined ? { colorsChoice: options.colors } : {}),
    warnings: files.warnings,
  });
  // getters: Node makes process.stdout (for a pipe: turning it non-blocking) only when it is read
  return executeRun(plan, {
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    fds: { stdout: 1, stderr: 2 },
    env: process.env,
    cwd: process.cwd(),
  });
}
