// The bundle holds the JavaScript of the packages a run loads (picomatch,
// ignore, better-sqlite3), so Node's loader neither finds nor compiles them
// (scripts/bundle.mjs). better-sqlite3's JavaScript must match its addon: the
// bundled copy runs only while the installed package is the version bundled,
// and otherwise the installed package loads whole, as from dist/. Asserted on
// what the real CLI loads (a preloaded module lister) and on the jobs that
// really ran, never on timing.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { show } from '../helpers/cli.js';
import { initRepo } from '../helpers/git.js';
import { loadedBy } from '../helpers/loaded-modules.js';
import { probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { REPO, type Sandbox, useFixture, writeText } from '../helpers/sandbox.js';

const ADDON = 'better-sqlite3/build/Release/better_sqlite3.node';

/** The python fixture in git, with the probe on every .py file outside a git-ignored directory: globs and ignore rules. */
function probedTree(): { sb: Sandbox; files: number } {
  const sb = useFixture('python-demo');
  initRepo(sb.tree);
  writeText(sb, '.gitignore', 'skipped/\n');
  writeText(sb, 'skipped/left.py', 'x = 1\n');
  probeOnly(sb, { include: ['**/*.py'] });
  const files = (fs.readdirSync(sb.tree, { recursive: true }) as string[]).filter(
    (f) => f.endsWith('.py') && !f.startsWith('skipped'),
  ).length;
  return { sb, files };
}

/** A copy of the package's start whose installed better-sqlite3 says it is another version (same files). */
function copyWithOtherSqlite(sb: Sandbox): string {
  const pkg = path.join(sb.root, 'package');
  const modules = path.join(pkg, 'node_modules');
  fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
  fs.cpSync(path.join(REPO, 'bin'), path.join(pkg, 'bin'), { recursive: true });
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(pkg, 'package.json'));
  fs.cpSync(path.join(REPO, 'dist', 'bundle'), path.join(pkg, 'dist', 'bundle'), { recursive: true });
  const real = fs.realpathSync(path.join(REPO, 'node_modules'));
  fs.mkdirSync(modules);
  for (const name of fs.readdirSync(real))
    if (name !== 'better-sqlite3') fs.symlinkSync(path.join(real, name), path.join(modules, name));
  const sqlite = path.join(modules, 'better-sqlite3');
  fs.mkdirSync(sqlite);
  for (const part of ['lib', 'build']) fs.symlinkSync(path.join(real, 'better-sqlite3', part), path.join(sqlite, part));
  const manifest = JSON.parse(fs.readFileSync(path.join(real, 'better-sqlite3', 'package.json'), 'utf8')) as {
    version: string;
  };
  fs.writeFileSync(path.join(sqlite, 'package.json'), JSON.stringify({ ...manifest, version: '0.0.0-other' }));
  return path.join(pkg, 'bin', 'runner');
}

describe("a run uses the bundle's copy of its packages, and better-sqlite3's only when the versions match", () => {
  test('from the repository: only the addon file is loaded from the packages a run needs', async () => {
    const { sb, files } = probedTree();
    const first = await loadedBy(['run'], sb.tree, sb.scratch);
    expect(first.res.code, show(first.res)).toBe(0);
    expect(readProbeLog(sb).started).toHaveLength(files);
    const fromPackages = [...first.packageFiles].filter((f) => /^(better-sqlite3|bindings|picomatch|ignore)\//.test(f));
    expect(fromPackages).toEqual([ADDON]);
    // The results went into the store and come back out of it: nothing runs again.
    resetProbeLog(sb);
    const again = await loadedBy(['run'], sb.tree, sb.scratch);
    expect(again.res.code, show(again.res)).toBe(0);
    expect(readProbeLog(sb).started).toEqual([]);
  });

  test('another installed version of better-sqlite3 is loaded whole, and the store works the same', async () => {
    const { sb, files } = probedTree();
    const bin = copyWithOtherSqlite(sb);
    const first = await loadedBy(['run'], sb.tree, sb.scratch, bin);
    expect(first.res.code, show(first.res)).toBe(0);
    expect(readProbeLog(sb).started).toHaveLength(files);
    // The installed JavaScript, which finds its addon itself; picomatch and ignore still come from the bundle.
    expect(first.packageFiles).toContain('better-sqlite3/lib/database.js');
    expect(first.packageFiles).toContain('bindings/bindings.js');
    expect([...first.packageFiles].filter((f) => /^(picomatch|ignore)\//.test(f))).toEqual([]);
    resetProbeLog(sb);
    const again = await loadedBy(['run'], sb.tree, sb.scratch, bin);
    expect(again.res.code, show(again.res)).toBe(0);
    expect(readProbeLog(sb).started).toEqual([]);
  });
});
