import yargs, { type Argv } from 'yargs';
import { DUCT_VERSION } from '../version.js';
import { usageFailure } from './main.js';

/** A yargs instance configured the way every duct subcommand parses: strict, exit 2 on usage errors, no abbreviations. */
export function baseParser(argv: string[], scriptName: string): Argv {
  return yargs(argv)
    .scriptName(scriptName)
    .parserConfiguration({ 'camel-case-expansion': false, 'parse-positional-numbers': false })
    .strict()
    .version(DUCT_VERSION)
    .help()
    .wrap(Math.min(100, process.stdout.columns || 100))
    .exitProcess(false)
    .fail(usageFailure);
}

/** The parser `ls`, `plot` and `pp` start from: strict, usage errors exit 2, help; --version is answered by main. */
export function viewerParser(argv: string[], scriptName: string): Argv {
  return yargs(argv)
    .scriptName(scriptName)
    .strict()
    .fail(usageFailure)
    .help()
    .version(DUCT_VERSION)
    .wrap(Math.min(110, process.stdout.columns ?? 100));
}
