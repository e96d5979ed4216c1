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

export function rejectUnknownKeys(
  ctx: Ctx,
  obj: Record<string, unknown>,
  allowed: readonly string[],
  prefix: string,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new ConfigError({
        file: ctx.file,
        key: prefix + key,
        problem: 'unknown',
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

/**
 * The most jobs at once: Linux's PID_MAX_LIMIT (2^22), the most processes it
 * can ever run. More is a typo (`-j 99999999999999999999` is not even a whole
 * number to JavaScript), not a machine.
 */
export const MAX_JOBS = 4_194_304;

export const JOBS_EXPECTED = `a whole number from 1 to ${MAX_JOBS} (the most processes Linux can run at once), e.g. 4`;

export function isJobsCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= MAX_JOBS;
}

export function checkJobs(ctx: Ctx, key: string, v: unknown): number {
  if (!isJobsCount(v)) fail(ctx, key, v, JOBS_EXPECTED);
  return v;
}
