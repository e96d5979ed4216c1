// Git's ignore rules for the walk (the only importer of `ignore`): which names
// a directory listing leaves out because git ignores them. Reads the rule
// files (.gitignore files, .git/info/exclude, the user's excludes file);
// decides nothing about stats or stored listings.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type ignoreFactory from 'ignore';
import type { Ignore } from 'ignore';
import { hashString } from '../hash.js';
import type { IgnoreFileStat } from '../manifest/index.js';
import type { RelPath } from '../types.js';

export const IGNORE_FILE = '.gitignore';

/** The stat of dir's .gitignore now, as the walk compares it with a stored listing's (null: none, or not a regular file). */
export function statIgnoreFile(absDir: string): IgnoreFileStat | null {
  const st = fs.lstatSync(`${absDir}/${IGNORE_FILE}`, { throwIfNoEntry: false });
  return st?.isFile() === true ? { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino } : null;
}

export function sameIgnoreFile(a: IgnoreFileStat | null, b: IgnoreFileStat | null): boolean {
  if (a === null || b === null) return a === b;
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

/** Where the user's rules live: the caller's HOME and XDG_CONFIG_HOME (the library reads no process.env). */
export interface IgnoreHome {
  home: string | undefined;
  xdgConfigHome: string | undefined;
}

/** One rule file's text and the directory (relative to the work tree's root, '' for the root) its patterns are relative to. */
interface RuleText {
  base: string;
  text: string;
}

/**
 * The rules that hold above the source tree, read at each scan: the user's
 * excludes file, .git/info/exclude, and the .gitignore files of the
 * directories between the work tree's root and the source tree. Their text
 * enters the walk spec's key: a change in one re-reads every listing.
 */
export interface IgnoreBase {
  /** The source tree's path inside the work tree, '' at its root. */
  prefix: string;
  /** Lowest precedence first (git: excludes file, info/exclude, then .gitignore files from the root down). */
  texts: RuleText[];
  /** The absolute paths of the files the rules were read from (or would be): watch mode watches them. */
  files: string[];
  /** The work tree's index (git dir's `index`): what git tracks is never ignored. */
  indexFile: string;
  /**
   * Whether the index changed since the last scan: then every listing that
   * left something out is read again (a `git add -f` changes no directory).
   */
  indexChanged: boolean;
  /** The index's identity as the caller saw it (opaque; '' when not known), kept to tell the next change. */
  indexId: string;
  /**
   * Every file git tracks below the source tree, relative to it: git ignores
   * no tracked file. Set by the caller (it runs git); asked at most once a
   * scan, and only when a listing being read has a name a pattern matches.
   */
  listTracked: () => readonly string[];
}

const readText = (file: string): string | null => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null; // missing, a directory, unreadable: git reads no rules from it either
  }
};

/** The work tree holding dir and its common git directory, found by `.git` upward (no git process: a no-op pays for stats only). */
function findRepository(dir: string): { top: string; gitDir: string; commonDir: string } | null {
  for (let at = dir; ;) {
    const dotGit = path.join(at, '.git');
    const st = fs.statSync(dotGit, { throwIfNoEntry: false });
    if (st?.isDirectory() === true) return { top: at, gitDir: dotGit, commonDir: dotGit };
    if (st?.isFile() === true) {
      // A linked work tree or a submodule: "gitdir: PATH"; a linked work tree's info/ is in the common directory.
      const m = /^gitdir: (.*)$/m.exec(readText(dotGit) ?? '');
      if (m === null) return null;
      const gitDir = path.resolve(at, m[1]!.trim());
      const common = readText(path.join(gitDir, 'commondir'));
      return { top: at, gitDir, commonDir: common === null ? gitDir : path.resolve(gitDir, common.trim()) };
    }
    const up = path.dirname(at);
    if (up === at) return null;
    at = up;
  }
}

/**
 * core.excludesFile as git would find it in the system, global and
 * repository config files (the last one that sets it wins), else git's
 * default $XDG_CONFIG_HOME/git/ignore. `[include]` and `[includeIf]` are not
 * followed (README, "Files git ignores").
 */
function excludesFileOf(h: IgnoreHome, commonDir: string): string | null {
  const xdg = h.xdgConfigHome !== undefined && h.xdgConfigHome !== '' ? h.xdgConfigHome : undefined;
  const xdgGit =
    xdg !== undefined ? path.join(xdg, 'git') : h.home !== undefined ? path.join(h.home, '.config/git') : null;
  const configs = [
    '/etc/gitconfig',
    ...(xdgGit !== null ? [path.join(xdgGit, 'config')] : []),
    ...(h.home !== undefined ? [path.join(h.home, '.gitconfig')] : []),
    path.join(commonDir, 'config'),
  ];
  let found: string | null = null;
  for (const c of configs) found = excludesFileIn(readText(c)) ?? found;
  if (found === null) return xdgGit === null ? null : path.join(xdgGit, 'ignore');
  if (found.startsWith('~/')) return h.home === undefined ? null : path.join(h.home, found.slice(2));
  return path.resolve(found);
}

function excludesFileIn(text: string | null): string | null {
  if (text === null) return null;
  let inCore = false;
  let found: string | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const section = /^\[\s*([A-Za-z0-9.-]+)\s*(?:"[^"]*")?\s*\]/.exec(line);
    if (section !== null) {
      inCore = section[1]!.toLowerCase() === 'core' && !line.includes('"');
      continue;
    }
    if (!inCore) continue;
    const kv = /^excludesfile\s*=\s*(.*)$/i.exec(line);
    if (kv === null) continue;
    let v = kv[1]!.replace(/\s[;#].*$/, '').trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    found = v;
  }
  return found;
}

/** The rules above the source tree, or null when it is in no git work tree (git ignores nothing there). */
export function loadIgnoreBase(sourceTree: string, h: IgnoreHome): IgnoreBase | null {
  let real: string;
  try {
    real = fs.realpathSync(sourceTree);
  } catch {
    return null; // the walk reports the missing tree
  }
  const repo = findRepository(real);
  if (repo === null) return null;
  const prefix = path.relative(repo.top, real).split(path.sep).join('/');
  const texts: RuleText[] = [];
  const files: string[] = [];
  const add = (file: string | null, base: string): void => {
    if (file === null) return;
    files.push(file);
    const text = readText(file);
    if (text !== null) texts.push({ base, text });
  };
  add(excludesFileOf(h, repo.commonDir), '');
  add(path.join(repo.commonDir, 'info', 'exclude'), '');
  // The source tree's own .gitignore is read by the walk, with the rest below it.
  if (prefix !== '') {
    const names = prefix.split('/');
    for (let i = 0; i < names.length; i++) {
      const base = names.slice(0, i).join('/');
      add(path.join(repo.top, base, IGNORE_FILE), base);
    }
  }
  return {
    prefix,
    texts,
    files,
    indexFile: path.join(repo.gitDir, 'index'),
    indexChanged: false,
    indexId: '',
    listTracked: () => [],
  };
}

/** What enters the walk spec's key: where the source tree sits, and every rule above it. */
export function ignoreBaseKey(base: IgnoreBase | null): string {
  return base === null ? 'no work tree' : hashString(JSON.stringify([base.prefix, base.texts]));
}

let loaded: typeof ignoreFactory | undefined;

/** 'tracked': a pattern matches, and git tracks it (or a file below it), so it is kept. */
export type IgnoreVerdict = 'not-ignored' | 'ignored' | 'tracked';

/** One rule file's patterns, asked about one path alone: its last matching pattern, if any. */
interface RuleSet {
  test(path: string, mode: 'regex'): { ignored: boolean; unignored: boolean };
}

interface Level {
  /** Directory the patterns are relative to, relative to the work tree's root; '' for the root. */
  base: string;
  rules: RuleSet;
}

/**
 * The package's public test() also applies each file's patterns to the
 * path's parent directories, which is wrong across files: `dir/` in the root
 * file and `!*\/` in a/.gitignore leave a/dir/x tracked in git (the walk
 * decided a/dir when it listed a/). Git asks each file about the path alone
 * (dir.c, last_matching_pattern_from_list), which is the package's rule set
 * test; the version is pinned in package.json and test/unit/scan/ignore-rules
 * checks the result against git itself.
 */
function compile(text: string): RuleSet {
  // Loaded when a listing is first read under rules: a no-op, which reads none, never loads it.
  loaded ??= createRequire(import.meta.url)('ignore') as typeof ignoreFactory;
  const ig: Ignore = loaded({ ignorecase: false }).add(text);
  const rules = (ig as unknown as { _rules?: Partial<RuleSet> })._rules;
  if (typeof rules?.test !== 'function') throw new Error('the ignore package no longer has the rule set runner asks');
  return rules as RuleSet;
}

/**
 * Git's answer for names in the source tree, built during one scan: each
 * directory's .gitignore is read when a listing below it is first read (a
 * no-op reads none). The walk never enters an ignored directory, so git's
 * rule that nothing below one can be re-included holds by construction.
 */
export class IgnoreRules {
  /** Per directory: the levels that apply to its entries, highest precedence first. */
  private readonly chains = new Map<string, Level[]>();
  /** Per directory: the stat of its .gitignore when read (null: none). */
  private readonly stats = new Map<string, IgnoreFileStat | null>();
  /** Per directory: whether it or a directory above it is ignored (entered only for the tracked files below). */
  private readonly inIgnored = new Map<string, boolean>();
  /** What git tracks, and the directories holding it: entered whatever the patterns say. Asked when first needed. */
  private trackedSets: { files: ReadonlySet<string>; dirs: ReadonlySet<string> } | null = null;

  constructor(
    private readonly root: string,
    private readonly base: IgnoreBase,
  ) {}

  private tracked(): { files: ReadonlySet<string>; dirs: ReadonlySet<string> } {
    if (this.trackedSets !== null) return this.trackedSets;
    const files = new Set(this.base.listTracked());
    const dirs = new Set<string>();
    for (const t of files) {
      for (let i = t.indexOf('/'); i >= 0; i = t.indexOf('/', i + 1)) dirs.add(t.slice(0, i));
    }
    this.trackedSets = { files, dirs };
    return this.trackedSets;
  }

  /** The stat of dir's .gitignore as its rules were read (null: none, or not a regular file). */
  ignoreFileOf(dir: RelPath): IgnoreFileStat | null {
    this.chainOf(dir);
    return this.stats.get(dir) ?? null;
  }

  private chainOf(dir: string): Level[] {
    const known = this.chains.get(dir);
    if (known !== undefined) return known;
    const slash = dir.lastIndexOf('/');
    const parent =
      dir === ''
        ? this.base.texts.map((t) => ({ base: t.base, rules: compile(t.text) })).reverse()
        : this.chainOf(slash < 0 ? '' : dir.slice(0, slash));
    const file = `${dir === '' ? this.root : `${this.root}/${dir}`}/${IGNORE_FILE}`;
    // Stat before reading: a write after the stat changes it, so the next scan reads the file again.
    const st = fs.lstatSync(file, { throwIfNoEntry: false });
    // git reads no .gitignore through a symbolic link (git 2.32 and later).
    const text = st?.isFile() === true ? readText(file) : null;
    let chain = parent;
    if (st !== undefined && st.isFile() && text !== null) {
      this.stats.set(dir, { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino });
      const inTop = this.base.prefix === '' ? dir : dir === '' ? this.base.prefix : `${this.base.prefix}/${dir}`;
      chain = [{ base: inTop, rules: compile(text) }, ...parent];
    } else this.stats.set(dir, null);
    this.chains.set(dir, chain);
    return chain;
  }

  /**
   * What git's rules make of the entry `name` of directory `dir` (a directory
   * when isDir): ignored when a pattern matches it or a directory above it,
   * unless git tracks it (or, for a directory, a file below it).
   */
  verdict(dir: RelPath, name: string, isDir: boolean): IgnoreVerdict {
    if (!this.isInIgnored(dir) && !this.matches(dir, name, isDir)) return 'not-ignored';
    const rel = dir === '' ? name : `${dir}/${name}`;
    const t = this.tracked();
    return (isDir ? t.dirs.has(rel) : t.files.has(rel)) ? 'tracked' : 'ignored';
  }

  private isInIgnored(dir: string): boolean {
    if (dir === '') return false;
    const known = this.inIgnored.get(dir);
    if (known !== undefined) return known;
    const slash = dir.lastIndexOf('/');
    const parent = slash < 0 ? '' : dir.slice(0, slash);
    const is = this.isInIgnored(parent) || this.matches(parent as RelPath, dir.slice(slash + 1), true);
    this.inIgnored.set(dir, is);
    return is;
  }

  /** Whether the patterns alone ignore the entry (the deepest file with a matching pattern decides). */
  private matches(dir: RelPath, name: string, isDir: boolean): boolean {
    const chain = this.chainOf(dir);
    if (chain.length === 0) return false;
    const rel = dir === '' ? name : `${dir}/${name}`;
    const inTop = this.base.prefix === '' ? rel : `${this.base.prefix}/${rel}`;
    const asked = isDir ? `${inTop}/` : inTop;
    // The deepest file with a matching pattern decides, its last match winning (gitignore(5), "PATTERN FORMAT").
    for (const level of chain) {
      const r = level.rules.test(level.base === '' ? asked : asked.slice(level.base.length + 1), 'regex');
      if (r.ignored) return true;
      if (r.unignored) return false;
    }
    return false;
  }
}
