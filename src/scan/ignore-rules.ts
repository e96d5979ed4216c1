// Git's ignore rules for the walk (the only importer of `ignore`): which names
// a directory listing leaves out because git ignores them. Reads each
// directory's .gitignore when a listing below it is read; decides nothing
// about stats or stored listings.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type ignoreFactory from 'ignore';
import type { Ignore } from 'ignore';
import type { IgnoreFileStat } from '../manifest/index.js';
import type { RelPath } from '../types.js';
import { IGNORE_FILE, type IgnoreBase, readText } from './ignore-files.js';

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
