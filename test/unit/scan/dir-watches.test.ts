// One watch per directory (issue 17, point 3): directories that come and go,
// and a tree past the inotify limit, through a fake watchDir over a real temp tree.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirWatches, type WatchDir } from '../../../src/scan/dir-watches.js';
import { TreeWatcher } from '../../../src/scan/index.js';

/** A directory's watch: the test fires its events. */
class FakeWatch extends EventEmitter {
  closed = false;
  constructor(readonly fire: (type: string, name: string | null) => void) {
    super();
  }
  close(): void {
    this.closed = true;
  }
}

/** Fake watches by directory; throws ENOSPC, as fs.watch does at the inotify limit, once `limit` are set. */
function fakeWatches(limit = Infinity): { watchDir: WatchDir; byDir: Map<string, FakeWatch> } {
  const byDir = new Map<string, FakeWatch>();
  const watchDir: WatchDir = (dir, onEvent) => {
    if ([...byDir.values()].filter((w) => !w.closed).length >= limit) {
      throw Object.assign(new Error(`ENOSPC: System limit for number of file watchers reached, watch '${dir}'`), {
        code: 'ENOSPC',
      });
    }
    const w = new FakeWatch(onEvent);
    byDir.set(dir, w);
    return w as unknown as fs.FSWatcher;
  };
  return { watchDir, byDir };
}

const open = (m: Map<string, FakeWatch>): string[] =>
  [...m]
    .filter(([, w]) => !w.closed)
    .map(([d]) => d)
    .sort();

let root = '';
afterEach(() => {
  if (root !== '') fs.rmSync(root, { recursive: true, force: true });
  root = '';
});

function tree(dirs: string[], files: string[] = []): string {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dir-watches-')));
  for (const d of dirs) fs.mkdirSync(path.join(root, d), { recursive: true });
  for (const f of files) fs.writeFileSync(path.join(root, f), 'x\n');
  return root;
}

describe('DirWatches', () => {
  const never = (): boolean => false;

  it('watches each directory once, never a file', () => {
    const r = tree(['a/b', 'c'], ['a/1.py', 'a/b/2.py', 'c/3.py', 'top.py']);
    const { watchDir, byDir } = fakeWatches();
    const dirs = new DirWatches(never, { changed: () => {}, lost: () => {} }, watchDir);
    dirs.watchTree(r);
    expect(open(byDir)).toEqual([r, `${r}/a`, `${r}/a/b`, `${r}/c`]);
    expect(dirs.size).toBe(4);
  });

  it('a directory made after the start is watched with all below it; removed, its watches and those below close', () => {
    const r = tree([]);
    const { watchDir, byDir } = fakeWatches();
    const changed: string[] = [];
    const dirs = new DirWatches(never, { changed: (p) => changed.push(p), lost: () => {} }, watchDir);
    dirs.watchTree(r);
    fs.mkdirSync(path.join(r, 'new/deep'), { recursive: true });
    fs.writeFileSync(path.join(r, 'new/deep/f.py'), 'x\n');
    byDir.get(r)!.fire('rename', 'new');
    expect(open(byDir)).toEqual([r, `${r}/new`, `${r}/new/deep`]);
    expect(changed).toEqual([`${r}/new`]);

    fs.renameSync(path.join(r, 'new'), path.join(r, 'old'));
    byDir.get(r)!.fire('rename', 'new');
    byDir.get(r)!.fire('rename', 'old');
    expect(open(byDir)).toEqual([r, `${r}/old`, `${r}/old/deep`]);
    expect(changed).toEqual([`${r}/new`, `${r}/new`, `${r}/old`]);

    fs.rmSync(path.join(r, 'old'), { recursive: true });
    byDir.get(r)!.fire('rename', 'old');
    expect(open(byDir)).toEqual([r]);
  });

  it('a file event is passed on unless the filter ignores it', () => {
    const r = tree([], ['keep.py', 'skip.md']);
    const { watchDir, byDir } = fakeWatches();
    const changed: string[] = [];
    const ignored = (abs: string, entry?: { isDirectory(): boolean }): boolean =>
      entry?.isDirectory() !== true && abs.endsWith('.md');
    const dirs = new DirWatches(ignored, { changed: (p) => changed.push(p), lost: () => {} }, watchDir);
    dirs.watchTree(r);
    byDir.get(r)!.fire('change', 'keep.py');
    byDir.get(r)!.fire('change', 'skip.md');
    byDir.get(r)!.fire('rename', 'skip.md');
    expect(changed).toEqual([`${r}/keep.py`]);
  });
});

describe('TreeWatcher past the inotify limit', () => {
  it('issue 17: warns once, naming fs.inotify.max_user_watches, and every batch asks for a whole-tree scan', async () => {
    const r = tree(['a', 'b', 'c', 'd']);
    const { watchDir, byDir } = fakeWatches(2);
    const w = await TreeWatcher.start({ sourceTree: r, ignored: () => false, extraFiles: [], watchDir });
    try {
      expect(w.watchedDirectories).toBe(2);
      const signal = new AbortController().signal;
      const first = await w.next(0, signal);
      expect(first!.lost).toMatch(/inotify limit is reached \(fs\.inotify\.max_user_watches; 2 directories watched\)/);
      expect(first!.partial).toBe(true);
      open(byDir).forEach((d) => byDir.get(d)!.fire('change', 'x.py'));
      const second = await w.next(0, signal);
      expect(second).toMatchObject({ lost: null, partial: true });
    } finally {
      await w.close();
    }
  });

  it('a tree within the limit gives batches that name every change', async () => {
    const r = tree(['a']);
    const { watchDir, byDir } = fakeWatches();
    const w = await TreeWatcher.start({ sourceTree: r, ignored: () => false, extraFiles: [], watchDir });
    try {
      byDir.get(`${r}/a`)!.fire('change', 'x.py');
      const batch = await w.next(0, new AbortController().signal);
      expect(batch).toMatchObject({ lost: null, partial: false, paths: new Set(['a/x.py']) });
    } finally {
      await w.close();
    }
  });
});
