import { readFileSync, writeFileSync } from 'node:fs';
import { DuctError } from '../../src/errors.js';
import { markdownTable } from './report.js';
import type { BenchResult } from './result.js';

export const TABLE_BEGIN = '<!-- bench-table: generated from bench/baselines.json by `npm run bench:readme`; do not edit by hand -->';
export const TABLE_END = '<!-- /bench-table -->';

/** Replace what lies between the table markers (inside README's `bench` section) with a result's table. */
export function replaceTable(readme: string, result: BenchResult): string {
  const begin = readme.indexOf(TABLE_BEGIN);
  const end = readme.indexOf(TABLE_END);
  if (begin < 0 || end < begin) {
    throw new DuctError('E_INPUT', `README.md lacks the bench table markers (${TABLE_BEGIN} ... ${TABLE_END}) in its bench section`);
  }
  return readme.slice(0, begin + TABLE_BEGIN.length) + '\n' + markdownTable(result) + readme.slice(end);
}

export function updateReadme(path: string, result: BenchResult): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DuctError('E_INPUT', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; --readme names the README.md to rewrite`);
  }
  try {
    writeFileSync(path, replaceTable(text, result));
  } catch (e) {
    if (e instanceof DuctError) throw e;
    throw new DuctError('E_OUTPUT_UNWRITABLE', `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
