// Where the config search goes (config/discover.ts), on real temp directories:
// nearest first, no higher than the directory holding .git, else to the root.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { holdsGit, searchUpward } from '../../../src/config/discover.js';

/** A temp directory with `dirs` made inside it; removed after the test. */
function tempTree(...dirs: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-discover-'));
  onTestFinished(() => fs.rmSync(root, { recursive: true, force: true }));
  for (const d of dirs) fs.mkdirSync(path.join(root, d), { recursive: true });
  return root;
}

/** Searches from `start`, recording each directory looked in; finds the first of `hits`. */
async function search(start: string, hits: string[] = []) {
  const looked: string[] = [];
  const result = await searchUpward(start, async (dir) => {
    looked.push(dir);
    return hits.includes(dir) ? `config in ${dir}` : null;
  });
  return { looked, result };
}

describe('issue 15: the config search', () => {
  it('looks in the start directory first, then each one above, and stops at the nearest hit', async () => {
    const root = tempTree('repo/.git', 'repo/a/b');
    const repo = path.join(root, 'repo');
    const { looked, result } = await search(path.join(repo, 'a/b'), [path.join(repo, 'a'), repo]);
    expect(looked).toEqual([path.join(repo, 'a/b'), path.join(repo, 'a')]);
    expect(result).toEqual({ found: `config in ${path.join(repo, 'a')}`, dir: path.join(repo, 'a') });
  });

  it('searches the repository root and nothing above it', async () => {
    const root = tempTree('repo/.git', 'repo/a');
    const repo = path.join(root, 'repo');
    const { looked, result } = await search(path.join(repo, 'a'), [root]);
    expect(looked).toEqual([path.join(repo, 'a'), repo]);
    expect(result).toEqual({ found: null, stop: { kind: 'repository-root', dir: repo } });
  });

  it('a .git file counts as a repository root; a .git below the start does not', async () => {
    const root = tempTree('repo/sub', 'repo/a/.git');
    fs.writeFileSync(path.join(root, 'repo/sub/.git'), 'gitdir: ../.git/modules/sub\n');
    expect(holdsGit(path.join(root, 'repo/sub'))).toBe(true);
    expect((await search(path.join(root, 'repo/sub'))).result).toEqual({
      found: null,
      stop: { kind: 'repository-root', dir: path.join(root, 'repo/sub') },
    });
    expect(holdsGit(path.join(root, 'repo'))).toBe(false);
  });

  it('outside any repository, goes up to the filesystem root', async () => {
    const root = tempTree('plain/a'); // the temp directory lies outside any repository, as in every runner test
    const { looked, result } = await search(path.join(root, 'plain/a'));
    expect(looked.at(-1)).toBe(path.parse(root).root);
    expect(looked.slice(0, 3)).toEqual([path.join(root, 'plain/a'), path.join(root, 'plain'), root]);
    expect(result).toEqual({ found: null, stop: { kind: 'filesystem-root', dir: path.parse(root).root } });
  });
});
