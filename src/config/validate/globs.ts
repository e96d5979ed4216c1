// Validates glob lists and plain relative paths (include, exclude, inputs, whitelist).
import { type Ctx, checkStringArray, fail } from './check.js';

export function checkGlobs(ctx: Ctx, key: string, v: unknown): string[] {
  const globs = checkStringArray(ctx, key, v, 'an array of glob patterns relative to the source tree, e.g. ["**/*.py"]');
  globs.forEach((g, i) => {
    if (g.startsWith('/') || g.split('/').includes('..')) {
      fail(ctx, `${key}[${i}]`, g, 'a glob relative to the source tree, without a leading "/" or ".."');
    }
  });
  return globs;
}

export function checkRelPaths(ctx: Ctx, key: string, v: unknown): string[] {
  const paths = checkStringArray(ctx, key, v, 'an array of file paths relative to the source tree, e.g. ["setup.cfg"]');
  paths.forEach((p, i) => {
    if (p.startsWith('/') || p.split('/').includes('..') || /[*?[\]{}]/.test(p)) {
      fail(ctx, `${key}[${i}]`, p, 'a plain path relative to the source tree (no globs, no leading "/" or "..")');
    }
  });
  return paths.map(normalizeRel);
}

/** 'a//b/./c/' -> 'a/b/c', so config paths compare equal to walked paths. */
export function normalizeRel(p: string): string {
  return p.split('/').filter((s) => s !== '' && s !== '.').join('/');
}
