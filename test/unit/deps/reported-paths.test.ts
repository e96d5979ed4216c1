// What a depfile or trace job reported, as its result records it (issue 16):
// files in the tree by their tree path, files below the job's HOME as `~/x`,
// each by content, so two checkouts and two users record the same list.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProgramIds } from '../../../src/config/index.js';
import { externalIdentity, identifyPaths, recordedDeps } from '../../../src/deps/index.js';
import { type JobResult, digestEntries, encodeDeps } from '../../../src/manifest/index.js';
import type { RelPath } from '../../../src/types.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A checkout and a HOME, each holding the same untracked header and per-user config. */
function machine(): { tree: string; home: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'reported-paths-'));
  dirs.push(root);
  const tree = path.join(root, 'checkout');
  const home = path.join(root, 'home');
  fs.mkdirSync(path.join(tree, 'build'), { recursive: true });
  fs.mkdirSync(path.join(home, '.config'), { recursive: true });
  fs.writeFileSync(path.join(tree, 'build', 'gen.h'), '#define N 1\n');
  fs.writeFileSync(path.join(home, '.config', 'tool.cfg'), 'strict\n');
  return { tree, home };
}

describe('issue 16: reported dependencies are named from the tree and HOME', () => {
  it('two checkouts with other HOMEs record the same list, and find the files again', () => {
    const lists = [machine(), machine()].map(({ tree, home }) => {
      const identify = { sourceTree: tree, files: new Map(), externalId: externalIdentity(new ProgramIds()) };
      const reported = [path.join(tree, 'build', 'gen.h'), path.join(home, '.config', 'tool.cfg')];
      const entries = identifyPaths(reported, 'main.c' as RelPath, path.join(tree, '.runner'), identify, home);
      const latest = { depsDigest: digestEntries(entries), deps: encodeDeps(entries) } as unknown as JobResult;
      expect(recordedDeps(latest, 'depfile', identify, home)!.digest).toBe(latest.depsDigest);
      return entries;
    });
    expect(lists[0]!.map(([p]) => p)).toEqual(['build/gen.h', '~/.config/tool.cfg']);
    expect(lists[1]).toEqual(lists[0]);
  });
});
