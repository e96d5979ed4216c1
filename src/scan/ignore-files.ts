// Where git's ignore rules are, for the walk: the work tree above the source
// tree, its .git/info/exclude, the user's excludes file (from git's config
// files, read without a git process), the .gitignore files above the source
// tree, and a directory's own .gitignore's stat. Reads files; matches nothing.
import fs from 'node:fs';
import path from 'node:path';
import { hashString } from '../hash.js';
import type { IgnoreFileStat } from '../manifest/index.js';

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

export const readText = (file: string): string | null => {
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
