import { viewerParser } from './yargs-base.js';
import { parseJsonLines } from '../files/json-lines.js';
import { basename } from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { Unit } from '../aggregation/types.js';
import { escapeControl, escapeControlDeep } from '../format/escape.js';
import { DuctError, ExitCode } from '../errors.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../files/json-text.js';
import { MAX_SERIES_BYTES, NotARunFile, readRunFile } from '../files/read-bounded.js';
import { humanizeInfo, humanizeUsageRecord } from '../view/pretty.js';
import { ignoreBrokenPipe } from '../view/stdout.js';

export interface PpPlan {
  file: string;
  raw: boolean;
}

export function parsePpArgs(argv: string[]): PpPlan {
  const args = viewerParser(argv, 'duct pp')
    .command('$0 <file>', "Pretty-print a run's info.json, usage.jsonl or events.jsonl (or con-duct's info.json/usage.json) with units humanized.", (y) =>
      y.positional('file', { type: 'string', demandOption: true, describe: 'the file to print' }),
    )
    .option('raw', { type: 'boolean', default: false, describe: 'keep raw numbers (bytes, seconds, percent)' })
    .option('humanize', { alias: 'H', type: 'boolean', describe: "humanize the numbers (the default; con-duct's flag)" })
    .example('duct pp .duct/logs/2026.11.20T10.00.00-4242_info.json', 'the run summary with MiB, durations and percents')
    .parseSync();
  if (args.raw && args.humanize) throw new DuctError('E_USAGE', '--raw and -H/--humanize contradict each other: give one');
  return { file: String(args.file), raw: args.raw };
}

/** Units recorded by the run the usage file belongs to, so each key is humanized by what it measured. */
async function siblingUnits(usagePath: string): Promise<Record<string, Unit>> {
  const prefix = usagePath.replace(/usage\.jsonl?$/, '');
  try {
    const info = JSON.parse(await readRunFile(`${prefix}info.json`)) as { measurements?: { units?: Record<string, Unit> } };
    return info.measurements?.units ?? {};
  } catch {
    return {}; // no readable sibling info.json: units come from the key names
  }
}

export async function runPp(plan: PpPlan): Promise<number> {
  let text: string;
  try {
    text = await readRunFile(plan.file, MAX_SERIES_BYTES);
  } catch (err) {
    const why = err instanceof NotARunFile ? err.message : `cannot read ${plan.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    throw new DuctError('E_INPUT', `${why} (give a run's info.json, usage.jsonl or events.jsonl)`);
  }
  const name = basename(plan.file);
  // info.json is one object; the JSONL files (and con-duct's usage.json) hold one record per line
  const isInfo = name.endsWith('.json') && !name.endsWith('usage.json');
  if (isInfo) {
    let info: unknown;
    try {
      info = JSON.parse(text);
    } catch (err) {
      throw new DuctError('E_INPUT', `${plan.file} is not valid JSON (${(err as Error).message}); a torn info.json cannot be printed`);
    }
    if (nestedDeeperThan(info)) throw new DuctError('E_INPUT', `${plan.file} is nested deeper than ${MAX_JSON_DEPTH} levels: not a file duct writes, not printed`);
    // every string is the run's data: shown, never acted on by the terminal (YAML leaves C1 and bidi controls raw)
    process.stdout.write(toYaml(escapeControlDeep(plan.raw ? info : humanizeInfo(info as never))));
    return ExitCode.ok;
  }
  const units = name.includes('usage') ? await siblingUnits(plan.file) : {};
  const parsed = parseJsonLines(text, name);
  const warnings = [...parsed.warnings];
  const lines = parsed.lines.filter(({ line, value }) => {
    if (!nestedDeeperThan(value)) return true;
    warnings.push(`${name}: line ${line} is nested deeper than ${MAX_JSON_DEPTH} levels, skipped`);
    return false;
  });
  for (const w of warnings) process.stderr.write(`duct: warning: ${escapeControl(w)}\n`);
  if (lines.length === 0 && text.trim() !== '') {
    throw new DuctError('E_INPUT', `${plan.file} holds no JSON record (every line was skipped): give a run's info.json, usage.jsonl or events.jsonl`);
  }
  const docs = lines.map(({ value }) => toYaml(escapeControlDeep(plan.raw ? value : humanizeUsageRecord(value as never, units))));
  process.stdout.write(docs.join('---\n'));
  return ExitCode.ok;
}

export function run(argv: string[]): Promise<number> {
  ignoreBrokenPipe();
  return runPp(parsePpArgs(argv));
}
