import { DuctError, ExitCode, isDuctError } from '../errors.js';
import { escapeControl } from '../format/escape.js';
import { DUCT_VERSION } from '../version.js';
import { didYouMean } from './suggest.js';

/** A subcommand module: parses its own argv and returns the exit status. */
export interface SubcommandModule {
  run(argv: string[]): Promise<number>;
}

/** Subcommands by name; each is imported only when called, so `run` never loads `plot`'s dependencies. */
const subcommands: Record<string, { summary: string; load: () => Promise<SubcommandModule> }> = {
  run: { summary: 'run a command and measure it (the default)', load: () => import('./run.js') },
  ls: { summary: 'list runs', load: () => import('./ls.js') },
  plot: { summary: 'chart a run (PNG, SVG or HTML)', load: () => import('./plot.js') },
  pp: { summary: 'pretty-print a log file', load: () => import('./pp.js') },
  validate: { summary: "check a run's files against schema/", load: () => import('./validate.js') },
  detect: { summary: 'run the log detectors over captured or container log files', load: () => import('./detect.js') },
  recommend: { summary: 'SLURM request sizing from past runs', load: () => import('./recommend.js') },
};

export function topLevelHelp(): string {
  const rows = Object.entries(subcommands).map(([name, s]) => `  duct ${name.padEnd(10)} ${s.summary}`);
  return [
    'Usage: duct [RUN OPTIONS] [--] COMMAND [ARGS...]   (same as `duct run ...`)',
    '       duct SUBCOMMAND [OPTIONS]',
    '',
    'Subcommands:',
    ...rows,
    '',
    'To wrap a program named like a subcommand, use `duct run ls` or `duct -- ls`.',
    'Run `duct run --help` for the run options, `duct SUBCOMMAND --help` for the others.',
    '',
  ].join('\n');
}

/** --version among a subcommand's options (before any `--`). */
function asksVersion(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).includes('--version');
}

/** Parse argv, run the subcommand, and turn duct's own errors into one line and an exit status. */
export async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  try {
    if (first === '--help' || first === '-h' || first === 'help') {
      process.stdout.write(topLevelHelp());
      return ExitCode.ok;
    }
    const named = first !== undefined ? subcommands[first] : undefined;
    // every subcommand answers --version (run's parser does so itself: after the command, it is the command's)
    if (named && first !== 'run' && asksVersion(argv.slice(1))) {
      process.stdout.write(`${DUCT_VERSION}\n`);
      return ExitCode.ok;
    }
    const mod = await (named ?? subcommands.run!).load();
    return await mod.run(named ? argv.slice(1) : argv);
  } catch (err) {
    if (isDuctError(err)) {
      // a message names what was given (an option's value, a path): shown, never acted on by the terminal
      process.stderr.write(`duct: ${err.message.split('\n').map(escapeControl).join('\n')}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

/** The long option names a yargs instance knows (for suggestions). */
function knownOptions(y: unknown): string[] {
  const options = (y as { getOptions?: () => { key?: Record<string, unknown> } } | undefined)?.getOptions?.();
  return Object.keys(options?.key ?? {}).filter((k) => k.length > 1 && k !== '$0');
}

/** Shared failure handler for each subcommand's yargs: usage errors exit 2 with one line. */
export function usageFailure(msg: string | null, err: Error | null, y?: unknown): never {
  if (err && isDuctError(err)) throw err;
  const text = msg ?? err?.message ?? 'invalid usage';
  const unknown = /^Unknown arguments?: (.*)$/.exec(text);
  if (unknown) {
    const given = unknown[1]!.split(', ');
    const names = given.map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
    const hint = given.length === 1 && given[0]!.length > 1 ? didYouMean(given[0]!, knownOptions(y), '--') : '';
    throw new DuctError('E_USAGE', `unknown option ${names.join(', ')}${hint || ' (see --help for the valid options)'}`);
  }
  // yargs: "Invalid values:\n  Argument: format, Given: \"xml\", Choices: \"a\", \"b\""
  const invalid = /Argument: ([^,]+), Given: (.*), Choices: (.*)$/.exec(text.replace(/\s*\n\s*/g, ' '));
  if (invalid) {
    const [, option, given, choices] = invalid;
    const list = choices!.split(', ').map((c) => c.replace(/^"(.*)"$/, '$1'));
    const value = given!.replace(/^"(.*)"$/, '$1');
    throw new DuctError('E_USAGE', `invalid value '${value}' for --${option}: choose one of ${list.join(', ')}${didYouMean(value, list)}`);
  }
  // yargs breaks some messages over lines ("Invalid values:\n  Argument: ..."): one line for people and scripts
  throw new DuctError('E_USAGE', text.split('\n').map((l) => l.trim()).filter((l) => l !== '').join(' '));
}
