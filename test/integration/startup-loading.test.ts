// Each command loads what it needs when it needs it (issue 15, point 12):
// `--version` loads nothing but bin/runner, `--help` no package (commander is
// bundled with runner's code), and a run neither the watcher nor the
// javascript readers unless a tool or the command asks for them. runner's own
// code is one bundled script (scripts/bundle.mjs), so packages are what there
// is to keep out. Asserted on
// what the real CLI loads (a preloaded module lister), never on timing.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { show } from '../helpers/cli.js';
import { loadedBy } from '../helpers/loaded-modules.js';
import { REPO, useFixture, writeConfig } from '../helpers/sandbox.js';

/** Loaded only by "deps": "javascript" (the lexer, the parser); chokidar and readdirp by no command (watch uses fs.watch). */
const WATCH_AND_JS = ['chokidar', 'readdirp', 'es-module-lexer', '@babel/parser'];

describe('issue 15: a command loads only what it needs', () => {
  test('runner --version loads no package and none of the library', async () => {
    const sb = useFixture('python-demo');
    const { res, packages, own } = await loadedBy(['--version'], sb.tree, sb.scratch);
    const { version } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(res.code, show(res)).toBe(0);
    expect(res.stdout).toBe(`${version}\n`);
    expect([...packages]).toEqual([]);
    expect([...own]).toEqual(['bin/runner']); // the lister saw runner's executable, and nothing of dist/
  });

  test('runner --help loads no package (commander is in the bundle) and no library code', async () => {
    const sb = useFixture('python-demo');
    const { res, packages, own } = await loadedBy(['--help'], sb.tree, sb.scratch);
    expect(res.code, show(res)).toBe(0);
    expect(res.stdout).toContain('Usage: runner');
    expect([...packages]).toEqual([]);
    // The bundle and nothing else: a build that wrote dist/ without bundling it would load dist/cli/*.js here.
    expect([...own].sort()).toEqual(['bin/runner', 'dist/bundle/runner.cjs']);
  });

  test('a run with python deps loads neither the watcher nor a javascript reader', async () => {
    const sb = useFixture('python-demo');
    // Jobs that start and end at once: the run still opens the store, serves a jobserver and spawns.
    writeConfig(sb, {
      include: ['**/*.py'],
      tools: [{ name: 'check', command: ['true', '{file}'], include: ['tests/test_*.py'], deps: 'python' }],
    });
    const { res, packages } = await loadedBy(['run'], sb.tree, sb.scratch);
    expect(res.code, show(res)).toBe(0);
    // What a run needs is there: the lister sees CommonJS and ES module packages alike.
    expect(packages).toContain('better-sqlite3');
    // A JSON config is read without cosmiconfig (issue 14), which loads only for the other formats.
    expect(packages).not.toContain('cosmiconfig');
    for (const name of WATCH_AND_JS) expect(packages, name).not.toContain(name);
    // A JSON config is read with JSON.parse: parse-json (and @babel/code-frame) load only for cosmiconfig's
    // own search of a package.json in the current directory, which this tree has none of.
    expect(packages).not.toContain('parse-json');
    expect(packages).not.toContain('@babel/code-frame');
  });

  test('a scan with javascript deps loads the lexer, and no watcher', async () => {
    const sb = useFixture('js-deps');
    const { res, packages } = await loadedBy(['scan'], sb.tree, sb.scratch);
    expect(res.code, show(res)).toBe(0);
    expect(packages).toContain('es-module-lexer'); // an ES module package, loaded when a tool declares the kind
    expect(packages).not.toContain('chokidar');
  });
});
