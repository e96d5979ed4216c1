// Small typed checks shared by the config validators; each throws a
// ConfigError naming the file, the key and what would be right.
import { ConfigError } from '../../errors.js';

export interface Ctx {
  file: string;
}

export function fail(ctx: Ctx, key: string, value: unknown, expected: string): never {
  throw new ConfigError({ file: ctx.file, key, value, expected });
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function rejectUnknownKeys(ctx: Ctx, obj: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new ConfigError({
        file: ctx.file, key: prefix + key, problem: 'unknown',
        expected: `one of: ${allowed.join(', ')}`,
      });
    }
  }
}

export function checkBoolean(ctx: Ctx, key: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail(ctx, key, v, 'true or false');
  return v;
}

export function checkNonEmptyString(ctx: Ctx, key: string, v: unknown, expected = 'a non-empty string'): string {
  if (typeof v !== 'string' || v.length === 0) fail(ctx, key, v, expected);
  return v;
}

export function checkStringArray(ctx: Ctx, key: string, v: unknown, expected: string): string[] {
  if (!Array.isArray(v)) fail(ctx, key, v, expected);
  v.forEach((item, i) => {
    if (typeof item !== 'string' || item.length === 0) fail(ctx, `${key}[${i}]`, item, 'a non-empty string');
  });
  return v as string[];
}

export function checkPositiveInteger(ctx: Ctx, key: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(ctx, key, v, 'a whole number of 1 or more, e.g. 4');
  return v;
}
