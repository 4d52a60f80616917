import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DuctError } from '../errors.js';

/**
 * Find the command as execvp would, before anything is created, so a missing
 * command exits 127 and a non-executable one 126, like a shell, leaving no files.
 */
export function lookupCommand(word: string, env: NodeJS.ProcessEnv, cwd: string): string {
  const candidates = word.includes('/')
    ? [word.startsWith('/') ? word : join(cwd, word)]
    : (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter).map((d) => join(d || '.', word));
  let nonExecutable: string | null = null;
  for (const c of candidates) {
    let isFile: boolean;
    try {
      isFile = statSync(c).isFile();
    } catch {
      continue;
    }
    if (!isFile) {
      nonExecutable ??= c;
      continue;
    }
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      nonExecutable ??= c;
    }
  }
  if (nonExecutable !== null) {
    throw new DuctError('E_COMMAND_NOT_EXECUTABLE', `${word}: permission denied (${nonExecutable} is not an executable file)`);
  }
  throw new DuctError('E_COMMAND_NOT_FOUND', `${word}: command not found`);
}
