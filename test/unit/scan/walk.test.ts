import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type PriorState, compileSpec, scanTree } from '../../../src/scan/index.js';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-walk-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const write = (rel: string, text: string): void => {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
};
const spec = (over: Partial<Parameters<typeof compileSpec>[0]> = {}) =>
  compileSpec({ include: ['**/*'], exclude: ['**/node_modules/**'], whitelist: null, skip: ['.runner'], ...over });
const empty: PriorState = { files: new Map(), dirs: new Map(), racyThresholdMs: 0, walkSpec: null };
/** The state a saved scan leaves behind, as if written well after the files last changed: nothing racy. */
const settled = (r: ReturnType<typeof scanTree>): PriorState => ({
  files: r.update.files,
  dirs: r.update.dirs,
  racyThresholdMs: Date.now() + 10_000,
  walkSpec: r.update.walkSpec,
});

describe('scanTree', () => {
  it('tracks files (dot-files too), never .git, the state dir or an excluded directory', () => {
    write('a.py', 'a');
    write('.hidden', 'h');
    write('pkg/b.py', 'b');
    write('.git/config', 'x');
    write('.runner/manifest.db', 'x');
    write('node_modules/m/index.js', 'x');
    const r = scanTree({ sourceTree: root, spec: spec(), prior: empty });
    expect([...r.update.files.keys()].sort()).toEqual(['.hidden', 'a.py', 'pkg/b.py']);
    expect([...r.newFiles].sort()).toEqual(['.hidden', 'a.py', 'pkg/b.py']);
    expect(r.update.dirs.has('node_modules' as never)).toBe(false);
  });

  it('reuses stored digests when the stat is unchanged and reads only the changed file', () => {
    write('a.py', 'a');
    write('b.py', 'b');
    const first = scanTree({ sourceTree: root, spec: spec(), prior: empty });
    expect(first.hashed).toBe(2);
    fs.writeFileSync(path.join(root, 'b.py'), 'bb');
    const second = scanTree({ sourceTree: root, spec: spec(), prior: settled(first) });
    expect(second.hashed).toBe(1);
    expect([...second.changedFiles]).toEqual(['b.py']);
    expect(second.newFiles.size).toBe(0);
  });

  it('re-reads a racy entry even when its stat looks unchanged', () => {
    write('a.py', 'a');
    const first = scanTree({ sourceTree: root, spec: spec(), prior: empty });
    const racy = { ...settled(first), racyThresholdMs: Date.now() };
    const second = scanTree({ sourceTree: root, spec: spec(), prior: racy });
    expect(second.hashed).toBe(1);
    expect(second.update.hadRacy).toBe(true);
  });

  it("keeps an unchanged directory's stored listing (no readdir)", () => {
    write('pkg/a.py', 'a');
    const first = scanTree({ sourceTree: root, spec: spec(), prior: empty });
    const prior = settled(first);
    // A listing that says more than the disk proves the walk used the stored one.
    const listing = prior.dirs.get('pkg' as never)!;
    (prior.dirs as unknown as Map<string, typeof listing>).set('pkg', { ...listing, files: ['a.py', 'ghost.py'] });
    const second = scanTree({ sourceTree: root, spec: spec(), prior });
    expect(second.issues).toEqual([
      { path: 'pkg/ghost.py', kind: 'vanished', detail: 'removed while being scanned', entry: 'file' },
    ]);
    expect(second.update.changedDirs).toEqual([]);
  });

  it('reports removed files and files that appeared', () => {
    write('a.py', 'a');
    write('b.py', 'b');
    const first = scanTree({ sourceTree: root, spec: spec(), prior: empty });
    fs.rmSync(path.join(root, 'a.py'));
    write('c.py', 'c');
    const second = scanTree({ sourceTree: root, spec: spec(), prior: settled(first) });
    expect(second.removedFiles).toEqual(['a.py']);
    expect([...second.newFiles]).toEqual(['c.py']);
  });

  it('reports a symlink loop and a name that is not UTF-8 without stopping', () => {
    write('ok.py', 'ok');
    fs.symlinkSync('loop', path.join(root, 'loop'));
    fs.writeFileSync(Buffer.concat([Buffer.from(root + '/bad'), Buffer.from([0xff, 0xfe]), Buffer.from('.py')]), 'x');
    const r = scanTree({ sourceTree: root, spec: spec(), prior: empty });
    expect([...r.update.files.keys()]).toEqual(['ok.py']);
    expect(r.issues.map((i) => [i.path, i.kind]).sort()).toEqual([
      ['bad\\xff\\xfe.py', 'not-utf8'],
      ['loop', 'symlink-loop'],
    ]);
    expect(r.update.keptPaths.has('loop' as never)).toBe(true);
  });

  it('issue 10: a name that is not UTF-8 is an issue only when the config would track or descend it', () => {
    write('ok.py', 'ok');
    const raw = (name: number[], tail: string): Buffer =>
      Buffer.concat([Buffer.from(root + '/'), Buffer.from(name), Buffer.from(tail)]);
    fs.writeFileSync(raw([0x6e, 0xff], '.txt'), 'x'); // not included: no issue
    fs.mkdirSync(raw([0x64, 0xfe], ''));
    const r = scanTree({ sourceTree: root, spec: spec({ include: ['**/*.py'] }), prior: empty });
    expect(r.issues.map((i) => [i.path, i.kind, i.entry])).toEqual([['d\\xfe', 'not-utf8', 'directory']]);
    expect(
      scanTree({ sourceTree: root, spec: spec({ include: ['**/*.py'], exclude: ['d*'] }), prior: empty }).issues,
    ).toEqual([]);
  });

  it('with a whitelist tracks exactly the listed files that exist and pass the globs', () => {
    write('a.py', 'a');
    write('b.py', 'b');
    write('c.txt', 'c');
    const r = scanTree({
      sourceTree: root,
      spec: spec({ include: ['**/*.py'], whitelist: ['a.py', 'c.txt', 'gone.py'] }),
      prior: empty,
    });
    expect([...r.update.files.keys()]).toEqual(['a.py']);
    expect(r.issues.map((i) => i.kind)).toEqual(['vanished']);
  });
});

describe('scanTree and a prior state kept packed (issue 17)', () => {
  it('issue 17: asks the prior state to decode what it keeps packed before it reads the files, and walks the same', () => {
    write('a.py', 'a');
    write('pkg/b.py', 'b');
    const first = settled(scanTree({ sourceTree: root, spec: spec(), prior: empty }));
    const asked: string[] = [];
    const packed: PriorState = {
      get files() {
        asked.push('files');
        return first.files;
      },
      dirs: first.dirs,
      racyThresholdMs: first.racyThresholdMs,
      walkSpec: first.walkSpec,
      decodeAhead: () => asked.push('decode'),
    };
    const r = scanTree({ sourceTree: root, spec: spec(), prior: packed });
    expect(asked).toEqual(['decode', 'files']);
    expect(r.hashed).toBe(0);
    expect([...r.update.files.keys()].sort()).toEqual(['a.py', 'pkg/b.py']);
  });
});
