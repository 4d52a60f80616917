import { readFileSync } from 'node:fs';

/** duct's own version, read from package.json (dist/src/version.js sits two levels below the root). */
export const DUCT_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Root of the installed package (holds schema/ and package.json). */
export const PACKAGE_ROOT: URL = new URL('../../', import.meta.url);
