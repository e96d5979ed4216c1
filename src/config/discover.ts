// Where the config is searched for: the start directory, then each directory
// above it, up to the repository root (the first directory holding `.git`)
// or, outside any repository, the filesystem root. Decides the order and the
// stop; reading the config at each place is load.ts's.
import fs from 'node:fs';
import path from 'node:path';

/** Why the search ended without a config: at the repository's root, or at the filesystem root (no `.git` above). */
export type SearchStop = { kind: 'repository-root'; dir: string } | { kind: 'filesystem-root'; dir: string };

export type SearchResult<T> = { found: T; dir: string } | { found: null; stop: SearchStop };

/**
 * An entry named `.git`, directory or file (a submodule's or a linked work
 * tree's `gitdir:` file), marks the repository's root, as git's own
 * discovery does; no git process is spawned, as every command searches.
 */
export function holdsGit(dir: string): boolean {
  try {
    return fs.lstatSync(path.join(dir, '.git'), { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false; // a directory that cannot be searched holds nothing runner can use
  }
}

/**
 * Calls `look` on `start` and then on each directory above it, nearest
 * first, until it returns a value. The repository's root is searched, never
 * a directory above it: a config there belongs to another tree (as git,
 * eslint and cosmiconfig's search stop at a project's root). Outside any
 * repository the search goes up to the filesystem root, as eslint's and
 * prettier's do: a project that git does not hold (an unpacked tarball)
 * works from a subdirectory too.
 */
export async function searchUpward<T>(
  start: string,
  look: (dir: string) => Promise<T | null>,
): Promise<SearchResult<T>> {
  for (let dir = path.resolve(start); ;) {
    const found = await look(dir);
    if (found !== null) return { found, dir };
    if (holdsGit(dir)) return { found: null, stop: { kind: 'repository-root', dir } };
    const up = path.dirname(dir);
    if (up === dir) return { found: null, stop: { kind: 'filesystem-root', dir } };
    dir = up;
  }
}
