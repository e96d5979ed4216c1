import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingFs, consultedUnchanged } from '../../../src/deps/consulted.js';

let root = '';
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** A temp dir holding `files`, old enough (past the 100 ms margin) for its timestamps to prove a listing. */
async function tree(files: string[]): Promise<string> {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-consulted-'));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), f);
  }
  await sleep(250);
  return root;
}

describe('RecordingFs and consultedUnchanged', () => {
  it('answers like a directory listing and proves an untouched tree unchanged', async () => {
    const r = await tree(['src/a.ts', 'node_modules/pkg/package.json']);
    const fsv = new RecordingFs();
    expect(fsv.exists(`${r}/src/a.ts`)).toBe('file');
    expect(fsv.exists(`${r}/node_modules/pkg`)).toBe('dir');
    expect(fsv.exists(`${r}/src/b.ts`)).toBeNull();
    expect(fsv.exists(`${r}/missing/x.ts`)).toBeNull();
    expect(fsv.readText(`${r}/node_modules/pkg/package.json`)).toBe('node_modules/pkg/package.json');
    expect(fsv.readText(`${r}/src/package.json`)).toBeNull();
    expect(consultedUnchanged(fsv.consulted)).toBe(true);
  });

  it('sees a new entry, a created directory, an edited or created file read whole', async () => {
    const r = await tree(['src/a.ts', 'pkg.json']);
    const record = (): RecordingFs => {
      const fsv = new RecordingFs();
      fsv.exists(`${r}/src/a.ts`);
      fsv.exists(`${r}/missing/x.ts`);
      fsv.readText(`${r}/pkg.json`);
      fsv.readText(`${r}/src/package.json`);
      return fsv;
    };
    const changes: (() => void)[] = [
      () => fs.writeFileSync(`${r}/src/b.ts`, ''),
      () => fs.mkdirSync(`${r}/missing`),
      () => fs.writeFileSync(`${r}/pkg.json`, 'edited'),
      () => fs.writeFileSync(`${r}/src/package.json`, '{}'),
    ];
    for (const change of changes) {
      const fsv = record();
      expect(consultedUnchanged(fsv.consulted)).toBe(true);
      change();
      expect(consultedUnchanged(fsv.consulted)).toBe(false);
      await sleep(250); // the next record() needs timestamps old enough again
    }
  });

  it('proves a directory changed just before it was read by listing it again, never by its timestamps', async () => {
    const r = await tree(['src/a.ts']);
    fs.writeFileSync(`${r}/src/b.ts`, '');
    // However long the machine takes to get to the read, the directory's time is not older than it.
    const soon = Date.now() / 1000 + 3600;
    fs.utimesSync(`${r}/src`, soon, soon);
    const fsv = new RecordingFs();
    fsv.exists(`${r}/src/a.ts`);
    // The same names: proved so, as after a watchman cookie made and removed in the directory.
    fs.writeFileSync(`${r}/src/cookie`, '');
    fs.rmSync(`${r}/src/cookie`);
    expect(consultedUnchanged(fsv.consulted)).toBe(true);
    // A name added, even with the timestamps put back as they were, is seen.
    fs.writeFileSync(`${r}/src/c.ts`, '');
    fs.utimesSync(`${r}/src`, soon, soon);
    expect(consultedUnchanged(fsv.consulted)).toBe(false);
    fs.rmSync(`${r}/src/c.ts`);
    // A file become a directory of the same name is seen.
    fs.rmSync(`${r}/src/b.ts`);
    fs.mkdirSync(`${r}/src/b.ts`);
    expect(consultedUnchanged(fsv.consulted)).toBe(false);
  });

  it('proves a directory whose timestamps moved by listing it again: an entry made and removed since changes nothing', async () => {
    const r = await tree(['src/a.ts']);
    const fsv = new RecordingFs();
    fsv.exists(`${r}/src/b.ts`);
    // As a watchman query does in the root it watches, on every run that asks it.
    fs.writeFileSync(`${r}/src/.watchman-cookie-host-1-1`, '');
    fs.rmSync(`${r}/src/.watchman-cookie-host-1-1`);
    fs.writeFileSync(`${r}/src/tmp`, '');
    fs.rmSync(`${r}/src/tmp`);
    expect(consultedUnchanged(fsv.consulted)).toBe(true);
    // A cookie still there when the check lists it: never a name an import looks for.
    fs.writeFileSync(`${r}/src/.watchman-cookie-host-1-2`, '');
    expect(consultedUnchanged(fsv.consulted)).toBe(true);
    fs.rmSync(`${r}/src/.watchman-cookie-host-1-2`);
    // The name looked for, made: seen.
    fs.writeFileSync(`${r}/src/b.ts`, '');
    expect(consultedUnchanged(fsv.consulted)).toBe(false);
    fs.rmSync(`${r}/src/b.ts`);
    // Any other new name: seen too (the listing is the proof, whatever was asked of it).
    fs.writeFileSync(`${r}/src/c.ts`, '');
    expect(consultedUnchanged(fsv.consulted)).toBe(false);
  });

  it('lists a directory holding symlinks again, so a link whose target changes kind is seen', async () => {
    const r = await tree(['target/index.js']);
    fs.mkdirSync(`${r}/node_modules`);
    fs.symlinkSync('../target', `${r}/node_modules/linked`);
    await sleep(250);
    const fsv = new RecordingFs();
    expect(fsv.exists(`${r}/node_modules/linked`)).toBe('dir');
    expect(consultedUnchanged(fsv.consulted)).toBe(true);
    fs.rmSync(`${r}/target`, { recursive: true });
    fs.writeFileSync(`${r}/target`, 'now a file');
    expect(consultedUnchanged(fsv.consulted)).toBe(false);
  });

  it('issue 11: a link retargeted to another directory of the same kind is seen', async () => {
    const r = await tree(['packages/a/index.ts', 'packages/b/index.ts']);
    fs.mkdirSync(`${r}/node_modules/@ws`, { recursive: true });
    fs.symlinkSync('../../packages/a', `${r}/node_modules/@ws/lib`);
    await sleep(250);
    // Only the link's own directory is listed: the new target is a directory too, so only where it leads tells them apart.
    const fsv = new RecordingFs();
    expect(fsv.exists(`${r}/node_modules/@ws/lib`)).toBe('dir');
    expect(consultedUnchanged(fsv.consulted)).toBe(true);
    fs.rmSync(`${r}/node_modules/@ws/lib`);
    fs.symlinkSync('../../packages/b', `${r}/node_modules/@ws/lib`);
    expect(consultedUnchanged(fsv.consulted)).toBe(false);
  });

  describe('issue 11: realpath resolves the links below the tree as the kernel does, recording each', () => {
    async function linked(): Promise<string> {
      const r = await tree([
        'packages/lib/src/index.ts',
        'packages/other/src/index.ts',
        'store/pkg@1/node_modules/pkg/index.js',
        'src/plain.ts',
      ]);
      fs.mkdirSync(`${r}/node_modules/@ws`, { recursive: true });
      fs.symlinkSync('../../packages/lib', `${r}/node_modules/@ws/lib`); // npm workspaces
      fs.symlinkSync('../store/pkg@1/node_modules/pkg', `${r}/node_modules/pkg`); // pnpm
      fs.symlinkSync(`${r}/packages/other`, `${r}/node_modules/abs`); // an absolute link into the tree
      fs.symlinkSync(`${os.tmpdir()}`, `${r}/node_modules/out`); // out of the tree
      fs.symlinkSync('loop', `${r}/node_modules/loop`);
      await sleep(250);
      return r;
    }

    it('gives the real path of every kind of link, and the path itself where none is crossed', async () => {
      const r = await linked();
      const fsv = new RecordingFs();
      expect(fsv.realpath(`${r}/node_modules/@ws/lib/src/index.ts`, r)).toBe(`${r}/packages/lib/src/index.ts`);
      expect(fsv.realpath(`${r}/node_modules/pkg/index.js`, r)).toBe(`${r}/store/pkg@1/node_modules/pkg/index.js`);
      expect(fsv.realpath(`${r}/node_modules/abs/src/index.ts`, r)).toBe(`${r}/packages/other/src/index.ts`);
      expect(fsv.realpath(`${r}/src/plain.ts`, r)).toBe(`${r}/src/plain.ts`);
      // Out of the tree, or a loop: kept as written.
      expect(fsv.realpath(`${r}/node_modules/out/x.js`, r)).toBe(`${r}/node_modules/out/x.js`);
      expect(fsv.realpath(`${r}/node_modules/loop/x.js`, r)).toBe(`${r}/node_modules/loop/x.js`);
      expect(fsv.realpath('/elsewhere/x.js', r)).toBe('/elsewhere/x.js');
      for (const p of [
        'node_modules/@ws/lib/src/index.ts',
        'node_modules/pkg/index.js',
        'node_modules/abs/src/index.ts',
      ]) {
        expect(fsv.realpath(`${r}/${p}`, r)).toBe(fs.realpathSync(`${r}/${p}`).replace(fs.realpathSync(r), r));
      }
      expect(consultedUnchanged(fsv.consulted)).toBe(true);
    });

    it('is proved changed when a link it crossed is retargeted, or a directory it crossed becomes a link', async () => {
      const changes: (() => void)[] = [
        () => {
          fs.rmSync(`${r}/node_modules/@ws/lib`);
          fs.symlinkSync('../../packages/other', `${r}/node_modules/@ws/lib`);
        },
        () => {
          fs.renameSync(`${r}/packages/lib`, `${r}/packages/lib-moved`);
          fs.symlinkSync('lib-moved', `${r}/packages/lib`);
        },
      ];
      let r = '';
      for (const change of changes) {
        r = await linked();
        const fsv = new RecordingFs();
        fsv.realpath(`${r}/node_modules/@ws/lib/src/index.ts`, r);
        expect(consultedUnchanged(fsv.consulted)).toBe(true);
        change();
        expect(consultedUnchanged(fsv.consulted)).toBe(false);
        fs.rmSync(r, { recursive: true, force: true });
      }
    });
  });

  it('starts from an earlier record and adds what it consults next', async () => {
    const r = await tree(['a/x.ts', 'b/y.ts']);
    const first = new RecordingFs();
    first.exists(`${r}/a/x.ts`);
    const second = new RecordingFs(first.consulted);
    second.exists(`${r}/b/y.ts`);
    expect([...second.consulted.dirs.keys()].sort()).toEqual([`${r}/a`, `${r}/b`]);
    fs.writeFileSync(`${r}/a/z.ts`, '');
    expect(consultedUnchanged(second.consulted)).toBe(false);
  });
});
