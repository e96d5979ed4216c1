// The shipped JSON Schema (schema/config.schema.json) checked with ajv, and
// whether it agrees with runner's own validator about a config.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import { SCHEMA_FILE } from '../../src/config/schema-file.js';
import { validateConfig } from '../../src/config/validate/index.js';

// ajv is CommonJS: under NodeNext its default import is module.exports, whose .default is the class.
const Ajv = AjvModule.default;

// Not sandbox.ts's REPO: sandbox.ts imports this file (writeConfig checks every config a test writes).
export const SCHEMA_PATH = fileURLToPath(new URL(`../../${SCHEMA_FILE}`, import.meta.url));

let compiled: (((data: unknown) => boolean) & { errors?: unknown }) | null = null;

/** Whether the schema accepts `config`, with ajv's errors when it does not. */
export function schemaVerdict(config: unknown): { ok: boolean; errors: string } {
  if (compiled === null) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictTuples: false });
    compiled = ajv.compile<unknown>(JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')) as object);
  }
  const ok = compiled(config);
  return { ok, errors: ok ? '' : JSON.stringify(compiled.errors, null, 1) };
}

/** Whether runner's validator accepts `config`, with its message when it does not. */
export function validatorVerdict(config: unknown): { ok: boolean; message: string } {
  try {
    validateConfig(config, '.runnerrc.json');
    return { ok: true, message: '' };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

/**
 * Throws when runner accepts a config the schema rejects (an editor would flag
 * a config that works). The other way round is allowed: some rules (unique
 * tool names, a NUL past the limits) a schema cannot say.
 */
export function assertSchemaAccepts(config: unknown): void {
  if (!validatorVerdict(config).ok) return;
  const schema = schemaVerdict(config);
  if (!schema.ok) {
    throw new Error(
      `schema/config.schema.json rejects a config runner accepts:\n${JSON.stringify(config)}\n${schema.errors}`,
    );
  }
}
