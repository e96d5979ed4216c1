// updatePaths (what watch does with the paths a watcher reports) must leave
// the same files and directory listings as a full walk of the same tree.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DirListing, FileEntry } from '../../../src/manifest/index.js';
import { type PriorState, type ScanResult, compileSpec, scanTree, updatePaths } from '../../../src/scan/index.js';
import type { RelPath } from '../../../src/types.js';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-update-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const write = (rel: string, text: string): void => {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
};
const remove = (rel: string): void => fs.rmSync(path.join(root, rel), { recursive: true });
const spec = (over: Partial<Parameters<typeof compileSpec>[0]> = {}) =>
  compileSpec({
    include: ['**/*.py', '**/*.txt'],
    exclude: ['**/node_modules/**', '**/__pycache__/**'],
    whitelist: null,
    skip: ['.runner'],
    ...over,
  });
const empty = (): PriorState => ({ files: new Map(), dirs: new Map(), racyThresholdMs: 0, walkSpec: null });
/** The state a saved scan leaves behind, as if written well after the files last changed: nothing racy. */
const settled = (r: ScanResult): PriorState => ({
  files: r.update.files,
  dirs: r.update.dirs,
  racyThresholdMs: Date.now() + 10_000,
  walkSpec: r.update.walkSpec,
});

/** What a full walk and an update must agree on (seen and changedAt are the scan's own bookkeeping). */
function stateOf(files: ReadonlyMap<RelPath, FileEntry>, dirs: ReadonlyMap<RelPath, DirListing>): object {
  const f = [...files]
    .map(([p, e]) => [p, e.size, e.mtimeMs, e.ctimeMs, e.ino, e.digest])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  const d = [...dirs]
    .map(([p, l]) => [p, l.mtimeMs, l.ctimeMs, l.ino, [...l.files].sort(), [...l.subdirs].sort()])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return { files: f, dirs: d };
}

function baseTree(): void {
  write('a.py', 'a');
  write('b.py', 'b');
  write('notes.md', 'not included');
  write('pkg/__init__.py', '');
  write('pkg/mod.py', 'm');
  write('pkg/sub/deep.py', 'd');
  write('old/x.py', 'x');
  write('old/inner/y.py', 'y');
  write('swap/s.py', 's');
  write('node_modules/m/index.py', 'excluded');
}

function expectSameAsWalk(r: ScanResult): void {
  const fresh = scanTree({ sourceTree: root, spec: spec(), prior: empty() });
  expect(stateOf(r.update.files, r.update.dirs)).toEqual(stateOf(fresh.update.files, fresh.update.dirs));
}

describe('updatePaths', () => {
  it('after edits, additions, removals and whole directories coming and going, equals a fresh full walk', () => {
    baseTree();
    const first = scanTree({ sourceTree: root, spec: spec(), prior: empty() });
    write('a.py', 'a changed');
    fs.utimesSync(path.join(root, 'b.py'), new Date(), new Date(Date.now() + 5000)); // touched, same content
    write('c.py', 'new');
    remove('pkg/mod.py');
    write('fresh/one.py', '1');
    write('fresh/nested/two.py', '2');
    write('fresh/nested/skip.md', 'not included');
    remove('old');
    remove('swap');
    write('swap/t.py', 't'); // a directory replaced by another of the same name
    write('node_modules/m/other.py', 'excluded');
    write('pkg/__pycache__/mod.cpython-312.pyc', 'bytecode');
    const reported = [
      'a.py',
      'b.py',
      'c.py',
      'pkg/mod.py',
      'fresh',
      'fresh/one.py',
      'fresh/nested',
      'fresh/nested/two.py',
      'old/x.py',
      'old/inner/y.py',
      'old/inner',
      'old',
      'swap',
      'swap/t.py',
      'pkg/__pycache__',
    ] as RelPath[];
    const r = updatePaths({ sourceTree: root, spec: spec(), prior: settled(first), paths: reported })!;
    expect(r).not.toBeNull();
    expectSameAsWalk(r);
    expect([...r.changedFiles]).toEqual(['a.py']);
    expect([...r.newFiles].sort()).toEqual(['c.py', 'fresh/nested/two.py', 'fresh/one.py', 'swap/t.py']);
    expect([...r.removedFiles].sort()).toEqual(['old/inner/y.py', 'old/x.py', 'pkg/mod.py', 'swap/s.py']);
    expect(r.hashed).toBe(6); // a.py, b.py (stat changed, content not), and the four new files
  });

  it('a removed directory reported only by a file inside it still leaves its parent listing right', () => {
    baseTree();
    const first = scanTree({ sourceTree: root, spec: spec(), prior: empty() });
    remove('old');
    const r = updatePaths({
      sourceTree: root,
      spec: spec(),
      prior: settled(first),
      paths: ['old/inner/y.py' as RelPath],
    })!;
    expectSameAsWalk(r);
    expect([...r.removedFiles].sort()).toEqual(['old/inner/y.py', 'old/x.py']);
  });

  it('a new directory reported only by a file deep inside it is walked whole', () => {
    baseTree();
    const first = scanTree({ sourceTree: root, spec: spec(), prior: empty() });
    write('n1/n2/n3/z.py', 'z');
    write('n1/top.py', 't');
    const r = updatePaths({
      sourceTree: root,
      spec: spec(),
      prior: settled(first),
      paths: ['n1/n2/n3/z.py' as RelPath],
    })!;
    expectSameAsWalk(r);
    expect([...r.newFiles].sort()).toEqual(['n1/n2/n3/z.py', 'n1/top.py']);
  });

  it('paths in excluded directories or the state directory change nothing', () => {
    baseTree();
    const first = scanTree({ sourceTree: root, spec: spec(), prior: empty() });
    const before = stateOf(first.update.files, first.update.dirs);
    write('node_modules/m/index.py', 'changed');
    write('.runner/manifest.db', 'x');
    const r = updatePaths({
      sourceTree: root,
      spec: spec(),
      prior: settled(first),
      paths: ['node_modules/m/index.py', '.runner/manifest.db'] as RelPath[],
    })!;
    expect(r.newFiles.size + r.changedFiles.size + r.removedFiles.length).toBe(0);
    expect(stateOf(r.update.files, r.update.dirs)).toEqual(before);
  });

  it('a later full walk over the updated state reuses its listings and finds nothing changed', () => {
    baseTree();
    const first = scanTree({ sourceTree: root, spec: spec(), prior: empty() });
    write('fresh/one.py', '1');
    remove('old');
    write('a.py', 'a2');
    const r = updatePaths({
      sourceTree: root,
      spec: spec(),
      prior: settled(first),
      paths: ['fresh', 'fresh/one.py', 'old', 'a.py'] as RelPath[],
    })!;
    const again = scanTree({ sourceTree: root, spec: spec(), prior: settled(r) });
    expect(again.update.changedDirs).toEqual([]);
    expect(again.update.removedDirs).toEqual([]);
    expect(again.hashed).toBe(0);
    expect(again.newFiles.size + again.changedFiles.size + again.removedFiles.length).toBe(0);
  });

  it('with a whitelist, only listed paths are candidates', () => {
    write('a.py', 'a');
    write('b.py', 'b');
    const wl = spec({ whitelist: ['a.py', 'd/c.py'] });
    const first = scanTree({ sourceTree: root, spec: wl, prior: empty() });
    write('b.py', 'b2');
    write('d/c.py', 'c');
    remove('a.py');
    const r = updatePaths({
      sourceTree: root,
      spec: wl,
      prior: settled(first),
      paths: ['b.py', 'd', 'a.py'] as RelPath[],
    })!;
    const fresh = scanTree({ sourceTree: root, spec: wl, prior: empty() });
    expect([...r.update.files.keys()]).toEqual([...fresh.update.files.keys()]);
    expect([...r.newFiles]).toEqual(['d/c.py']);
    expect(r.removedFiles).toEqual(['a.py']);
  });

  it('gives up (null) when the stored listings were made under another spec', () => {
    baseTree();
    const first = scanTree({ sourceTree: root, spec: spec(), prior: empty() });
    expect(
      updatePaths({
        sourceTree: root,
        spec: spec({ include: ['**/*'] }),
        prior: settled(first),
        paths: ['a.py' as RelPath],
      }),
    ).toBeNull();
  });
});
