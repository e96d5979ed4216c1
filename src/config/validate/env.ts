// Validates the environment keys: env (top-level, and a tool's own), passEnv, passThroughEnv, mergeEnv, addSourceTreeToPythonPath.
import { type Ctx, checkStringArray, fail, isPlainObject } from './check.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The longest single "NAME=value" string (with its terminating NUL) Linux
 * passes to a program: MAX_ARG_STRLEN, 32 pages of 4 KiB (include/uapi/linux/binfmts.h).
 * A longer one fails every spawn with E2BIG.
 */
export const MAX_VARIABLE_BYTES = 131_072;

/** `key`: "env", or a tool's "tools[i].env", as the messages name it. */
export function checkEnv(ctx: Ctx, v: unknown, key = 'env'): Record<string, string | string[]> {
  if (!isPlainObject(v)) fail(ctx, key, v, 'an object of variable names to strings or arrays of strings');
  for (const [name, value] of Object.entries(v)) {
    if (!NAME.test(name)) fail(ctx, `${key}.${name}`, name, 'a variable name of letters, digits and "_"');
    if (typeof value !== 'string' && !(Array.isArray(value) && value.every((x) => typeof x === 'string'))) {
      fail(ctx, `${key}.${name}`, value, 'a string, or an array of strings joined with ":"');
    }
    checkVariableValue(ctx, `${key}.${name}`, name, Array.isArray(value) ? value.join(':') : value);
  }
  return v as Record<string, string | string[]>;
}

/** What the kernel refuses in a variable: a NUL (it ends the string), or more than MAX_VARIABLE_BYTES. */
function checkVariableValue(ctx: Ctx, key: string, name: string, value: string): void {
  const nul = value.indexOf('\0');
  if (nul >= 0)
    fail(
      ctx,
      key,
      value,
      `a value without a NUL byte (one is at character ${nul + 1}; a program's environment cannot hold one)`,
    );
  const bytes = Buffer.byteLength(`${name}=${value}`) + 1;
  if (bytes > MAX_VARIABLE_BYTES) {
    const room = MAX_VARIABLE_BYTES - Buffer.byteLength(`${name}=`) - 1;
    fail(
      ctx,
      key,
      value,
      `a value of at most ${room} bytes (it has ${Buffer.byteLength(value)}; Linux passes no variable over 128 KiB, "${name}=" included, to a program: spawn fails with E2BIG)`,
    );
  }
}

/** passEnv and passThroughEnv: names of variables taken from the caller, none also set by `env`. */
export function checkPassEnv(
  ctx: Ctx,
  v: unknown,
  env: Record<string, unknown>,
  key: 'passEnv' | 'passThroughEnv' = 'passEnv',
): string[] {
  const names = checkStringArray(
    ctx,
    key,
    v,
    `an array of variable names, e.g. ${key === 'passEnv' ? '["LANG"]' : '["PATH", "HOME"]'}`,
  );
  names.forEach((name, i) => {
    if (!NAME.test(name)) fail(ctx, `${key}[${i}]`, name, 'a variable name of letters, digits and "_"');
    if (Object.hasOwn(env, name)) {
      fail(ctx, `${key}[${i}]`, name, `a variable not also set in "env" (env.${name} already sets it)`);
    }
  });
  return names;
}
