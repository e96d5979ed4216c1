// The package as npm publishes it: what `npm pack` puts in the tarball, and
// that tarball installed into an empty project, offline from the npm cache
// (better-sqlite3 compiles from source here: minutes), with terminal support
// (an optional dependency) left out and then added as runner's hint says.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { gitOk } from '../helpers/git.js';
import { REPO } from '../helpers/sandbox.js';
import { type Done, MINUTES, exec, offlineEnv } from './npm-run.js';

interface PackedFile {
  path: string;
}

interface Manifest {
  name: string;
  version: string;
  bin: Record<string, string>;
  files: string[];
  license: string;
  repository?: { url: string };
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-pack-'));
  // Hundreds of MB (a clone with its devDependencies, a project with its own): minutes on a busy disk.
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }), 5 * MINUTES);
  return dir;
}

function manifest(dir: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** What `npm pack` would put in the tarball, packed from `dir` as it is (dist/ already built). */
function packedFiles(dir: string): string[] {
  const res = exec('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], dir, offlineEnv());
  expect(res.code, res.out).toBe(0);
  const json = res.out.slice(res.out.indexOf('['));
  return (JSON.parse(json) as { files: PackedFile[] }[])[0]!.files.map((f) => f.path);
}

describe('the npm package', () => {
  test('issue 15: the package is not named runner, installs the runner command, and ships a LICENSE', () => {
    const pkg = manifest(REPO);
    expect(pkg.name).not.toBe('runner'); // an unrelated package's name on npm
    expect(Object.keys(pkg.bin)).toEqual(['runner']);
    expect(pkg.license).toBe('MIT');
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\//);
    const files = packedFiles(REPO);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'bin/runner']));
    expect(files).toContain('dist/cli/main.js');
    // Issue 17, point 4: the job-starting addon's sources and the script that builds them at install, never a build of it.
    expect(files).toEqual(expect.arrayContaining(['native/binding.gyp', 'native/spawn.c', 'scripts/build-native.mjs']));
    // Every source the addon's build names ships: one missing would leave the addon unbuilt at install, silently.
    const gyp = JSON.parse(
      fs.readFileSync(path.join(REPO, 'native', 'binding.gyp'), 'utf8').replace(/^#.*$/gm, ''),
    ) as { targets: { sources: string[] }[] };
    for (const source of gyp.targets.flatMap((t) => t.sources)) expect(files).toContain(`native/${source}`);
    expect(files.filter((f) => f.startsWith('native/build/'))).toEqual([]);
    expect(fs.readFileSync(path.join(REPO, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 /);
  });

  test('issue 15: every source map in the package ships with the sources it points to, and every "files" entry ships something', () => {
    const files = packedFiles(REPO);
    const shipped = new Set(files);
    for (const map of files.filter((f) => f.endsWith('.map'))) {
      const { sources } = JSON.parse(fs.readFileSync(path.join(REPO, map), 'utf8')) as { sources: string[] };
      for (const source of sources)
        expect(shipped, `${map} points to ${source}`).toContain(path.posix.join(path.posix.dirname(map), source));
    }
    // The built JavaScript is shipped whatever happens to the maps.
    expect(files.filter((f) => f.startsWith('dist/') && f.endsWith('.js')).length).toBeGreaterThan(50);
    for (const entry of manifest(REPO).files.filter((e) => !e.startsWith('!'))) {
      expect(
        files.some((f) => f === entry || f.startsWith(`${entry}/`)),
        `"files" entry ${entry}`,
      ).toBe(true);
    }
  });
});

describe('installing the packed tarball', () => {
  test(
    'issue 15: npm pack, then npm install of the tarball into an empty project with --omit=optional, offline: npx runner --version and a plain job work; a "pty": true tool stops the run with exit 2 and the install command, recording nothing; after that command both run',
    () => {
      const dir = tempDir();
      // This repository's HEAD, as a user's clone would pack it (prepare builds dist/).
      const clone = path.join(dir, 'runner');
      gitOk(dir, ['clone', '-q', REPO, clone]);
      const pkg = manifest(clone);
      const pack = exec('npm', ['pack', '--pack-destination', dir], clone, offlineEnv());
      expect(pack.code, pack.out).toBe(0);
      const tarball = path.join(dir, `${pkg.name}-${pkg.version}.tgz`);
      expect(fs.existsSync(tarball), pack.out).toBe(true);

      const proj = path.join(dir, 'proj');
      fs.mkdirSync(proj);
      fs.writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'proj', private: true }));
      const install = exec('npm', ['install', '--omit=optional', tarball], proj, offlineEnv());
      expect(install.code, install.out).toBe(0);
      // Neither node-pty (63 MB, compiled) nor the optional terminal support came along.
      expect(fs.existsSync(path.join(proj, 'node_modules', 'node-pty'))).toBe(false);
      expect(fs.existsSync(path.join(proj, 'node_modules', '@lydell', 'node-pty'))).toBe(false);

      // Issue 17, point 4: the install compiled runner's addon (this machine has a compiler), so jobs start without a fork.
      const addon = path.join(proj, 'node_modules', pkg.name, 'native', 'build', 'Release', 'runner_spawn.node');
      expect(fs.existsSync(addon), install.out).toBe(true);
      // With the walk's digests in it (native/digest.c), the process's OpenSSL found.
      expect((createRequire(import.meta.url)(addon) as { digestFile?: unknown }).digestFile, install.out).toBeTypeOf(
        'function',
      );

      const version = exec('npx', ['runner', '--version'], proj, offlineEnv());
      expect(version.code, version.out).toBe(0);
      expect(version.out.trim()).toBe(pkg.version);

      // A tiny tree: a plain tool and a terminal tool, each recording the files it ran on.
      const plainLog = path.join(dir, 'plain.log');
      const ptyLog = path.join(dir, 'pty.log');
      fs.writeFileSync(path.join(proj, 'a.txt'), 'hello\n');
      fs.writeFileSync(
        path.join(proj, '.runnerrc.json'),
        JSON.stringify({
          include: ['*.txt'],
          env: { PLAIN_LOG: plainLog, PTY_LOG: ptyLog },
          tools: [
            { name: 'plain', command: 'echo {file} >> "$PLAIN_LOG"' },
            { name: 'colour', command: 'test -t 1 && echo {file} >> "$PTY_LOG"', pty: true },
          ],
        }),
      );
      const lines = (file: string): string[] =>
        fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
      const runner = (args: string[]): Done => exec('npx', ['runner', ...args], proj, offlineEnv());

      const stopped = runner(['run']);
      expect(stopped.code, stopped.out).toBe(2);
      const hint = /`(npm install @lydell\/node-pty@[^`]+)`/.exec(stopped.out);
      expect(hint, stopped.out).not.toBeNull();
      expect(stopped.out).toContain('tool "colour"');
      expect(stopped.out).toContain('nothing was run');
      // Stopped before any job: the plain one did not run either.
      expect(lines(plainLog)).toEqual([]);

      const plain = runner(['run', '--tool', 'plain']);
      expect(plain.code, plain.out).toBe(0);
      expect(lines(plainLog)).toEqual(['a.txt']);

      // The install command runner named, as a user would run it in their project.
      const [cmd, ...args] = hint![1]!.split(' ');
      const added = exec(cmd!, args, proj, offlineEnv());
      expect(added.code, added.out).toBe(0);
      // The terminal job runs now, and passes (it saw a terminal): it had no recorded failure to report.
      // The plain job's result from before holds, so it is not run again.
      const both = runner(['run']);
      expect(both.code, both.out).toBe(0);
      expect(lines(ptyLog)).toEqual(['a.txt']);
      expect(lines(plainLog)).toEqual(['a.txt']);
    },
    30 * MINUTES,
  );
});
