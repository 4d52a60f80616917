import yargsFactory, { type Argv } from 'yargs';
import { DUCT_VERSION } from '../version.js';
import { usageFailure } from './main.js';

/** yargs, for the parsers built outside this module (the bundle gives its help cliui's word-wrapping build: scripts/bundle.ts). */
export const yargs = yargsFactory;

/** Help width: the terminal's, else 100 columns. */
export function helpWidth(): number {
  return process.stdout.isTTY === true && process.stdout.columns > 0 ? process.stdout.columns : 100;
}

/** A yargs instance configured the way every duct subcommand parses: strict, exit 2 on usage errors, no abbreviations. */
export function baseParser(argv: string[], scriptName: string): Argv {
  const y: Argv = yargs(argv)
    .scriptName(scriptName)
    .parserConfiguration({ 'camel-case-expansion': false, 'parse-positional-numbers': false })
    .strict()
    .version(DUCT_VERSION)
    .help()
    .wrap(helpWidth())
    .exitProcess(false);
  // the instance itself: its options are what a mistyped one is matched against
  return y.fail((msg, err) => usageFailure(msg, err, y));
}

/** The parser `ls`, `plot` and `pp` start from: strict, usage errors exit 2, help; --version is answered by main. */
export function viewerParser(argv: string[], scriptName: string): Argv {
  const y: Argv = yargs(argv);
  return y
    .scriptName(scriptName)
    .strict()
    .fail((msg, err) => usageFailure(msg, err, y))
    .help()
    .version(DUCT_VERSION)
    .wrap(helpWidth());
}
