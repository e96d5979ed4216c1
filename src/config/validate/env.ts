// Validates the environment keys: env, passEnv, passThroughEnv, mergeEnv, addSourceTreeToPythonPath.
import { type Ctx, checkStringArray, fail, isPlainObject } from './check.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkEnv(ctx: Ctx, v: unknown): Record<string, string | string[]> {
  if (!isPlainObject(v)) fail(ctx, 'env', v, 'an object of variable names to strings or arrays of strings');
  for (const [name, value] of Object.entries(v)) {
    if (!NAME.test(name)) fail(ctx, `env.${name}`, name, 'a variable name of letters, digits and "_"');
    if (typeof value === 'string') continue;
    if (Array.isArray(value) && value.every((x) => typeof x === 'string')) continue;
    fail(ctx, `env.${name}`, value, 'a string, or an array of strings joined with ":"');
  }
  return v as Record<string, string | string[]>;
}

/** passEnv and passThroughEnv: names of variables taken from the caller, none also set by `env`. */
export function checkPassEnv(ctx: Ctx, v: unknown, env: Record<string, unknown>, key: 'passEnv' | 'passThroughEnv' = 'passEnv'): string[] {
  const names = checkStringArray(ctx, key, v, `an array of variable names, e.g. ${key === 'passEnv' ? '["LANG"]' : '["PATH", "HOME"]'}`);
  names.forEach((name, i) => {
    if (!NAME.test(name)) fail(ctx, `${key}[${i}]`, name, 'a variable name of letters, digits and "_"');
    if (Object.hasOwn(env, name)) {
      fail(ctx, `${key}[${i}]`, name, `a variable not also set in "env" (env.${name} already sets it)`);
    }
  });
  return names;
}
