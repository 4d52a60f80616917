const ON = new Set(['1', 'true', 'yes', 'on']);
const OFF = new Set(['0', 'false', 'no', 'off']);

/** DUCT_COLORS as a choice: true, false, or undefined when unset or not a yes/no word. */
export function colorsFromEnv(env: NodeJS.ProcessEnv): boolean | undefined {
  const v = env['DUCT_COLORS']?.trim().toLowerCase();
  return v === undefined ? undefined : ON.has(v) ? true : OFF.has(v) ? false : undefined;
}

/**
 * Whether duct colors its output: a choice made (--colors, --no-colors, --colors false,
 * DUCT_COLORS) wins; else none where NO_COLOR is set and not empty (no-color.org); else
 * only on a terminal.
 */
export function wantColors(choice: boolean | undefined, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (choice !== undefined) return choice;
  const fromEnv = colorsFromEnv(env);
  if (fromEnv !== undefined) return fromEnv;
  if ((env['NO_COLOR'] ?? '') !== '') return false;
  return isTTY;
}
