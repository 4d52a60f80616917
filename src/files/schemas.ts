import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Ajv2020, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import * as formatsModule from 'ajv-formats';
import draft07MetaSchema from 'ajv/dist/refs/json-schema-draft-07.json' with { type: 'json' };
import { PACKAGE_ROOT } from '../version.js';

/** The files duct writes that schema/ pins, by the suffix after the output prefix. */
export type FileKind = 'info' | 'usage' | 'events';
/** con-duct 0.2.x files, read (never written) by duct. */
export type LegacyFileKind = 'conduct-info' | 'conduct-usage';

/** schema/ in the installed package: duct's own contract, one file per shape. */
export const SCHEMA_DIR = fileURLToPath(new URL('schema/', PACKAGE_ROOT));
/** con-duct 0.2.x rules, kept apart so they never count as duct's shape. */
export const LEGACY_SCHEMA_DIR = join(SCHEMA_DIR, 'conduct-0.2');

/** Annotation keywords our schemas use: ignored by validation, read by tests and docs. */
const ANNOTATIONS = ['x-duct-schema-version', 'unit'];

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module object.
const addFormats = (formatsModule as unknown as { default: (ajv: Ajv2020) => Ajv2020 }).default;

export interface LoadedSchemas {
  ajv: Ajv2020;
  /** every schema file loaded, by file name (info.schema.json, ...). */
  files: Map<string, AnySchemaObject>;
  /** compiled validator for one line / file of each kind; undefined when schema/ has no schema for it. */
  validator(kind: FileKind | LegacyFileKind): ValidateFunction | undefined;
  /** compiled validator of any schema file by its name (e.g. records.schema.json); undefined when absent. */
  byFile(name: string): ValidateFunction | undefined;
}

function readSchemaFiles(dir: string): Array<[string, AnySchemaObject]> {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.schema.json'))
    .sort()
    .map((name) => [name, JSON.parse(readFileSync(join(dir, name), 'utf8')) as AnySchemaObject]);
}

/**
 * One ajv instance with every schema of schema/ (and the con-duct 0.2 rules) added, so a
 * `$ref` by `$id` from one file to another resolves; validators are compiled on first use.
 */
export function loadSchemas(dir = SCHEMA_DIR): LoadedSchemas {
  // strict, but for one lint that flags correct schemas: `required` of a field whose rule lives in another branch
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true });
  addFormats(ajv);
  ajv.addVocabulary(ANNOTATIONS);
  const files = new Map<string, AnySchemaObject>();
  const legacyDir = join(dir, 'conduct-0.2');
  const all = [...readSchemaFiles(dir), ...readSchemaFiles(legacyDir).map(([n, s]) => [`conduct-0.2/${n}`, s] as [string, AnySchemaObject])];
  // a helper may write a draft-07 schema; the 2020-12 instance needs its meta-schema to accept it
  if (all.some(([, s]) => typeof s.$schema === 'string' && s.$schema.includes('draft-07'))) ajv.addMetaSchema(draft07MetaSchema);
  for (const [name, schema] of all) {
    files.set(name, schema);
    ajv.addSchema(schema, schema.$id === undefined ? name : undefined);
  }
  const byKind: Record<FileKind | LegacyFileKind, string> = {
    info: 'info.schema.json',
    usage: 'usage.schema.json',
    events: 'events.schema.json',
    'conduct-info': 'conduct-0.2/info.schema.json',
    'conduct-usage': 'conduct-0.2/usage.schema.json',
  };
  const compiled = new Map<string, ValidateFunction>();
  const byFile = (name: string): ValidateFunction | undefined => {
    const schema = files.get(name);
    if (!schema) return undefined;
    let fn = compiled.get(name);
    if (!fn) {
      fn = ajv.getSchema(typeof schema.$id === 'string' ? schema.$id : name);
      if (!fn) throw new Error(`schema ${name} was added but cannot be compiled`);
      compiled.set(name, fn);
    }
    return fn;
  };
  return { ajv, files, byFile, validator: (kind) => byFile(byKind[kind]) };
}

let shared: LoadedSchemas | undefined;
/** The schemas of the installed package, loaded once per process. */
export function schemas(): LoadedSchemas {
  shared ??= loadSchemas();
  return shared;
}

/** The shape version each of duct's own schema files declares (`x-duct-schema-version`; undefined when missing). */
export function declaredVersions(loaded: LoadedSchemas): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [name, s] of loaded.files) if (!name.includes('/')) out.set(name, s['x-duct-schema-version']);
  return out;
}

export type { ErrorObject };
