// The walk's reading of git's ignore rules checked against git itself: random
// trees and rule files (nested .gitignore files, negations, directory-only,
// anchored and ** patterns, .git/info/exclude, the user's excludes file), and
// the files the walk tracks compared with `git ls-files --cached --others
// --exclude-standard` (every file git tracks, and every untracked file it
// does not ignore).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type PriorState, compileSpec, loadIgnoreBase, scanTree } from '../../../src/scan/index.js';
import { git, gitTestEnv } from '../../helpers/git.js';

let scratch: string;
let repo: string;
let home: string;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-ignore-'));
  repo = path.join(scratch, 'repo');
  home = path.join(scratch, 'home');
  fs.mkdirSync(repo);
  fs.mkdirSync(home);
});
afterEach(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

const envFor = (): Record<string, string> => gitTestEnv({ HOME: home, XDG_CONFIG_HOME: path.join(home, 'xdg') });
const ignoreHome = () => ({ home, xdgConfigHome: path.join(home, 'xdg') });
const write = (abs: string, text: string): void => {
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, text);
};
const empty = (): PriorState => ({ files: new Map(), dirs: new Map(), racyThresholdMs: 0, walkSpec: null });

/** The files the walk tracks in `tree` under git's rules (what git tracks asked of git, as the session does). */
function walked(tree: string): string[] {
  const base = loadIgnoreBase(tree, ignoreHome());
  if (base !== null) base.listTracked = () => lines(git(tree, ['ls-files', '-z', '--cached'], envFor()).stdout);
  const spec = compileSpec({ include: ['**/*'], exclude: [], whitelist: null, skip: [], gitignore: base });
  return [...scanTree({ sourceTree: tree, spec, prior: empty() }).update.files.keys()].sort();
}

const lines = (z: string): string[] => z.split('\0').filter((p) => p !== '');

/** git's answer: every file it tracks or does not ignore, relative to `cwd`. */
function gitsAnswer(cwd: string): string[] {
  const r = git(cwd, ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], envFor());
  expect(r.code, r.stderr).toBe(0);
  return [...new Set(lines(r.stdout))].sort();
}

/** A small seeded generator, so a failing round can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DIRS = ['a', 'b', 'build', 'gen', 'doc', 'foo', 'bar', 'dir', '.hidden'];
const FILES = ['x.log', 'keep.log', 'ok.txt', 'n.txt', 'm.pyc', 't.py', '#hash', 'sp ace', 'b', 'bar', '.hidden'];
const PATTERNS = [
  '*.log',
  '!keep.log',
  'build/',
  '/build',
  'gen/**',
  '**/gen',
  'a/**/b',
  'doc/*.txt',
  '!doc/ok.txt',
  '*.py[co]',
  '\\#hash',
  'foo/*',
  '!foo/bar/',
  'dir/',
  '!dir/t.py',
  '?.txt',
  '[ab]',
  'x.log ',
  '**/b/*.txt',
  'a/b',
  '/a',
  'bar',
  '!bar',
  '*',
  '!*/',
  '!*.py',
  'b/',
  '.hidden',
  '!.hidden',
  'sp\\ ace',
  'n.txt/',
  '# a comment',
  '',
  '/*.txt',
  '**/foo/**/*.log',
  'b/**',
  '!b/**/',
];

function pick<T>(next: () => number, list: readonly T[]): T {
  return list[Math.floor(next() * list.length)]!;
}

function rules(next: () => number, most: number): string {
  const n = 1 + Math.floor(next() * most);
  return Array.from({ length: n }, () => pick(next, PATTERNS)).join('\n') + '\n';
}

/** A random tree of files and rule files under `top`; returns the directories made. */
function randomTree(next: () => number, top: string): string[] {
  const dirs = new Set<string>(['']);
  for (let i = 0; i < 40; i++) {
    const depth = Math.floor(next() * 4);
    const parts = Array.from({ length: depth }, () => pick(next, DIRS));
    const dir = parts.join('/');
    const file = path.join(top, dir, pick(next, FILES));
    // A name used as a directory and as a file at once cannot be made: skip that one.
    try {
      write(file, 'x');
    } catch {
      continue;
    }
    for (let d = 0; d <= parts.length; d++) dirs.add(parts.slice(0, d).join('/'));
  }
  return [...dirs];
}

/** Every rule file of the round, for the failure message. */
function ruleFiles(): string {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const e of fs.readdirSync(path.join(repo, dir), { withFileTypes: true })) {
      const rel = dir === '' ? e.name : `${dir}/${e.name}`;
      if (e.isDirectory() && e.name !== '.git') visit(rel);
      else if (e.name === '.gitignore')
        out.push(`${rel}: ${JSON.stringify(fs.readFileSync(path.join(repo, rel), 'utf8'))}`);
    }
  };
  visit('');
  out.push(`info/exclude: ${JSON.stringify(fs.readFileSync(path.join(repo, '.git/info/exclude'), 'utf8'))}`);
  out.push(`excludes file: ${JSON.stringify(fs.readFileSync(path.join(home, 'xdg/git/ignore'), 'utf8'))}`);
  return out.join('\n');
}

describe('git ignore rules', () => {
  it(
    'the walk leaves out exactly the untracked files git ignores, over random trees and rules',
    { timeout: 120_000 },
    () => {
      const env = envFor();
      expect(git(repo, ['init', '-q', '.'], env).code).toBe(0);
      for (let round = 0; round < 20; round++) {
        const next = random(round + 1);
        for (const e of fs.readdirSync(repo)) if (e !== '.git') fs.rmSync(path.join(repo, e), { recursive: true });
        const dirs = randomTree(next, repo);
        // The root's rules and a few nested ones.
        write(path.join(repo, '.gitignore'), rules(next, 6));
        for (let i = 0; i < 3; i++) {
          const dir = pick(next, dirs);
          if (fs.statSync(path.join(repo, dir), { throwIfNoEntry: false })?.isDirectory() === true)
            fs.writeFileSync(path.join(repo, dir, '.gitignore'), rules(next, 4));
        }
        write(path.join(repo, '.git/info/exclude'), next() < 0.5 ? rules(next, 3) : '');
        write(path.join(home, 'xdg/git/ignore'), next() < 0.3 ? rules(next, 2) : '');
        const label = `round ${round}: ${ruleFiles()}`;
        expect(walked(repo), label).toEqual(gitsAnswer(repo));
        // The source tree in a subdirectory of the work tree (one git does not ignore): the rules above it hold too.
        const sub = pick(next, dirs);
        const isIgnoredDir = (): boolean => git(repo, ['check-ignore', '-q', `${sub}/`], envFor()).code === 0;
        if (sub !== '' && fs.statSync(path.join(repo, sub)).isDirectory() && !isIgnoredDir()) {
          expect(walked(path.join(repo, sub)), `${label} (from ${sub})`).toEqual(gitsAnswer(path.join(repo, sub)));
        }
      }
    },
  );

  it('core.excludesFile set in the repository config is read, and a tree outside git ignores nothing', () => {
    expect(git(repo, ['init', '-q', '.'], envFor()).code).toBe(0);
    write(path.join(home, 'mine.ignore'), '*.tmp\n');
    expect(git(repo, ['config', 'core.excludesFile', path.join(home, 'mine.ignore')], envFor()).code).toBe(0);
    write(path.join(repo, 'a.tmp'), 'x');
    write(path.join(repo, 'a.py'), 'x');
    expect(walked(repo)).toEqual(gitsAnswer(repo));
    expect(walked(repo)).toEqual(['a.py']);
    const outside = path.join(scratch, 'plain');
    write(path.join(outside, '.gitignore'), '*.py\n');
    write(path.join(outside, 'b.py'), 'x');
    expect(walked(outside)).toEqual(['.gitignore', 'b.py']);
  });
});
