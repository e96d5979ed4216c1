// Validates glob lists, plain relative paths and declared inputs (include, exclude, whitelist, inputs),
// and the import specifier globs of ignoreUnresolved.
import { type Ctx, checkStringArray, fail } from './check.js';

export function checkGlobs(ctx: Ctx, key: string, v: unknown): string[] {
  const globs = checkStringArray(
    ctx,
    key,
    v,
    'an array of glob patterns relative to the source tree, e.g. ["**/*.py"]',
  );
  globs.forEach((g, i) => {
    if (g.startsWith('/') || g.split('/').includes('..')) {
      fail(ctx, `${key}[${i}]`, g, 'a glob relative to the source tree, without a leading "/" or ".."');
    }
  });
  return globs;
}

/**
 * A tool's outputs: globs relative to the source tree, `{file}` the job's
 * file. Never the job's file itself (a tool rewriting its file in place
 * changes its own input: its job would never be fresh), never `{files}`
 * (a batch tool's outputs are each file's, named with `{file}`).
 */
export function checkOutputs(ctx: Ctx, key: string, v: unknown, tool: string): string[] {
  const globs = checkStringArray(
    ctx,
    key,
    v,
    'an array of globs relative to the source tree naming the files the tool writes, e.g. ["build/{file}.o"]',
  );
  globs.forEach((g, i) => {
    const k = `${key}[${i}]`;
    if (g.startsWith('/') || g.split('/').includes('..') || g.includes('\0')) {
      fail(ctx, k, g, 'a glob relative to the source tree, without a leading "/" or "..", e.g. "build/{file}.o"');
    }
    if (g.includes('{files}')) {
      fail(ctx, k, g, `an output named with "{file}" (each file's own), not "{files}" (tool "${tool}")`);
    }
    if (g === '{file}' || g === './{file}') {
      fail(
        ctx,
        k,
        g,
        `a file other than the job's own (a tool that rewrites its file changes its own input, so its job is never fresh) (tool "${tool}")`,
      );
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

/** Whether a config path is a glob (matched against the tree) rather than a path. */
export function isGlobPattern(p: string): boolean {
  return /[*?[\]{}]/.test(p);
}

/**
 * A tool's inputs: a path relative to the source tree (a file or a
 * directory), an absolute path or one under `~/` (a per-user config file),
 * or a glob relative to the source tree.
 */
export function checkInputs(ctx: Ctx, key: string, v: unknown): string[] {
  const entries = checkStringArray(
    ctx,
    key,
    v,
    'an array of files, directories or globs, e.g. ["setup.cfg", "**/conftest.py", "~/.pylintrc"]',
  );
  return entries.map((p, i) => {
    if (isGlobPattern(p)) {
      if (p.startsWith('/') || p.startsWith('~') || p.split('/').includes('..')) {
        fail(
          ctx,
          `${key}[${i}]`,
          p,
          'a glob relative to the source tree (without a leading "/", "~" or ".."), or a plain path',
        );
      }
      return normalizeRel(p);
    }
    if (p.startsWith('/')) return '/' + normalizeRel(p);
    if (p === '~' || p.startsWith('~/')) return p === '~' ? '~' : '~/' + normalizeRel(p.slice(2));
    if (p.startsWith('~'))
      fail(
        ctx,
        `${key}[${i}]`,
        p,
        'a path under your home directory written "~/..." (another user\'s "~name" is not expanded)',
      );
    const rel = normalizeRel(p);
    return rel === '' ? '.' : rel;
  });
}

/** 'a//b/./c/' -> 'a/b/c', so config paths compare equal to walked paths. */
export function normalizeRel(p: string): string {
  return p
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

/**
 * ignoreUnresolved: import specifiers as written in the code, `*` standing for
 * any characters. A relative or absolute path never warns (the tool reports
 * the missing file), so listing one is a mistake worth saying.
 */
export function checkSpecifierGlobs(ctx: Ctx, key: string, v: unknown): string[] {
  const globs = checkStringArray(
    ctx,
    key,
    v,
    'an array of import specifiers, "*" matching any characters, e.g. ["virtual:*", "#imports"]',
  );
  globs.forEach((g, i) => {
    if (g.startsWith('./') || g.startsWith('../') || g === '.' || g === '..' || g.startsWith('/')) {
      fail(
        ctx,
        `${key}[${i}]`,
        g,
        'a package name, alias or other non-relative specifier such as "virtual:*" (an unresolved relative or absolute import never warns)',
      );
    }
  });
  return globs;
}
