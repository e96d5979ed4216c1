// The tree's form of a path: relative to a root (the source tree, a work
// tree's top), '/'-separated, with no leading './'; and where a FILE argument
// points. Pure: touches no file.
import path from 'node:path';
import type { RelPath } from './types.js';

/** `abs` relative to `root`, '/'-separated: '' for root itself, '../x' or an absolute path when it lies outside. */
export function relativePath(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}

/** Whether a '/'-separated relative path leaves its root: '..', '../x', or absolute (another drive). */
export function isOutside(rel: string): boolean {
  return rel === '..' || rel.startsWith('../') || path.isAbsolute(rel);
}

/**
 * `abs` as a path in the tree at `root` ('' for root itself), or null when it
 * lies outside. A name that only begins with two dots ('..x') is inside.
 */
export function treePath(root: string, abs: string): RelPath | null {
  const rel = relativePath(root, abs);
  return isOutside(rel) ? null : (rel as RelPath);
}

/**
 * A FILE argument as an absolute path: relative to -C DIR when given (as with
 * `git -C` and `make -C`), else to the directory runner was started in. Either
 * may lie below the source tree (the config was found above it); treePath
 * then gives the argument's path in the tree.
 */
export function argumentPath(cwd: string, dir: string | undefined, arg: string): string {
  return path.resolve(cwd, dir ?? '.', arg);
}
