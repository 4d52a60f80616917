import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { parse as parseDotenv } from 'dotenv';

/** Where .env files are looked for when DUCT_CONFIG_PATHS is unset; later files override earlier ones. */
export const DEFAULT_CONFIG_PATHS = ['/etc/duct/.env', '${XDG_CONFIG_HOME:-~/.config}/duct/.env', '.duct/.env'];

export interface EnvFileValues {
  /** DUCT_* values from the files, later files winning; they configure duct only, never the command. */
  values: Record<string, string>;
  /** file each value came from, for error messages. */
  origin: Record<string, string>;
  warnings: string[];
}

/** Expand `${VAR:-default}`, `${VAR}` and a leading `~` in one config path. */
export function expandConfigPath(path: string, env: NodeJS.ProcessEnv): string {
  const expanded = path.replace(/\$\{([^}]+)\}/g, (_m, expr: string) => {
    const sep = expr.indexOf(':-');
    if (sep >= 0) return env[expr.slice(0, sep)] || expr.slice(sep + 2);
    return env[expr] ?? '';
  });
  return expanded === '~' || expanded.startsWith('~/') ? homedir() + expanded.slice(1) : expanded;
}

/**
 * A line-level shape check that dotenv itself does not do (it silently drops
 * garbage): every line must be blank, a comment, an assignment, or inside a quoted value.
 */
export function findMalformedLine(text: string): number | null {
  if (text.includes('\0')) return 1;
  const lines = text.split(/\r?\n/);
  let openQuote: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (openQuote) {
      if (line.includes(openQuote)) openQuote = null;
      continue;
    }
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const m = /^(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=\s*(.*)$/.exec(t);
    if (!m) return i + 1;
    const value = m[1]!;
    const q = value[0];
    if ((q === '"' || q === "'" || q === '`') && value.indexOf(q, 1) === -1) openQuote = q;
  }
  return null;
}

/** Load the DUCT_* settings of the .env files; an unreadable file is skipped silently, a malformed one with a warning. */
export function loadEnvFiles(env: NodeJS.ProcessEnv): EnvFileValues {
  const list = env.DUCT_CONFIG_PATHS !== undefined ? env.DUCT_CONFIG_PATHS.split(':') : DEFAULT_CONFIG_PATHS;
  const out: EnvFileValues = { values: {}, origin: {}, warnings: [] };
  for (const raw of list) {
    if (raw.trim() === '') continue;
    const path = expandConfigPath(raw, env);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue; // absent or unreadable config files are the normal case
    }
    const bad = findMalformedLine(text);
    if (bad !== null) {
      out.warnings.push(`skipping malformed config file ${path} (line ${bad} is not KEY=VALUE)`);
      continue;
    }
    for (const [k, v] of Object.entries(parseDotenv(text))) {
      if (!k.startsWith('DUCT_')) continue;
      out.values[k] = v;
      out.origin[k] = path;
    }
  }
  return out;
}
