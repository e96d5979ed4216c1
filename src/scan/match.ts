// Glob matching (the only importer of picomatch). Globs match dot-files too.
// picomatch loads at the first glob, not with the module: `--help` needs none.
// picomatch, not micromatch: runner needs only makeRe and scan, which
// micromatch hands to picomatch, and micromatch's other parts (braces and
// its helpers) took as long again to load on every run.
import { createRequire } from 'node:module';
import type Picomatch from 'picomatch';
import { canonicalJson, hashString } from '../hash.js';
import { type IgnoreBase, ignoreBaseKey } from './ignore-files.js';

export type Matcher = (rel: string) => boolean;

const OPTIONS = { dot: true };

let loaded: typeof Picomatch | null = null;
const picomatch = (): typeof Picomatch => (loaded ??= createRequire(import.meta.url)('picomatch') as typeof Picomatch);

/**
 * One glob's matcher, where a newline in a name is a character like any
 * other: picomatch's regex starts `*` with a `(?=.)`, and `.` stops at a
 * newline, so "\nname.txt" was tracked by `**` and `**\/*` (matched without a
 * regex) but not by `*` or `*.txt`. The dotAll flag makes every glob agree.
 */
function matcherOf(glob: string): Matcher {
  const re = picomatch().makeRe(glob, OPTIONS);
  const dotAll = re.flags.includes('s') ? re : new RegExp(re.source, re.flags + 's');
  return (rel) => dotAll.test(rel);
}

export function compileGlobs(globs: readonly string[]): Matcher {
  if (globs.length === 0) return () => false;
  if (globs.length === 1 && (globs[0] === '**' || globs[0] === '**/*')) return () => true;
  const matchers = globs.map(matcherOf);
  if (matchers.length === 1) return matchers[0]!;
  return (rel) => {
    for (const m of matchers) if (m(rel)) return true;
    return false;
  };
}

/**
 * A glob holding a placeholder (`build/{file}.o`) as a function from a path
 * to what the placeholder stands for in it ("src/a.c" for "build/src/a.c.o"),
 * or null when the path is no match. The placeholder stands for one or more
 * characters, across directories.
 */
export function compileTemplate(template: string, mark: string): (rel: string) => string | null {
  // A token of letters only: picomatch copies it into its regular expression as it is.
  const token = 'RUNNERPLACEHOLDERTOKEN';
  const re = picomatch().makeRe(template.replaceAll(mark, token), OPTIONS);
  const withGroup = new RegExp(re.source.replaceAll(token, '(.+)'), re.flags.includes('s') ? re.flags : re.flags + 's');
  return (rel) => {
    const m = withGroup.exec(rel);
    return m === null ? null : (m.slice(1).find((g) => g !== undefined) ?? null);
  };
}

/** The directory under which every match of a glob lies ('' for the whole tree): where a walk for it starts. */
export function globBase(glob: string): string {
  return picomatch().scan(glob).base;
}

/** What decides which files the walk tracks. */
export interface WalkSpec {
  include: readonly string[];
  exclude: readonly string[];
  /** When set, exactly these paths are candidates (and still pass include/exclude). */
  whitelist: readonly string[] | null;
  /** Paths never walked, relative to the source tree (the state directory when inside it). */
  skip: readonly string[];
  /** Git's ignore rules above the source tree when the walk honours them; null: git ignores nothing here (or "gitignore": false). */
  gitignore?: IgnoreBase | null;
}

export interface CompiledSpec {
  isIncluded: Matcher;
  isExcluded: Matcher;
  isSkipped: (rel: string) => boolean;
  whitelist: readonly string[] | null;
  /** When set, each listing leaves out what git ignores (a whitelist is taken as given). */
  gitignore: IgnoreBase | null;
  /** Stored listings are valid only for the spec they were made under. */
  key: string;
}

export function compileSpec(spec: WalkSpec): CompiledSpec {
  const skip = new Set(spec.skip);
  const gitignore = spec.whitelist === null ? (spec.gitignore ?? null) : null;
  return {
    isIncluded: compileGlobs(spec.include),
    isExcluded: compileGlobs(spec.exclude),
    isSkipped: (rel) => skip.has(rel),
    whitelist: spec.whitelist,
    gitignore,
    key: hashString(
      canonicalJson({
        ...spec,
        whitelist: spec.whitelist === null ? null : [...spec.whitelist].sort(),
        gitignore: gitignore === null ? null : ignoreBaseKey(gitignore),
      }),
    ),
  };
}

/** Whether a tool takes a file: its include matches and its exclude does not. */
export function compileToolFilter(include: readonly string[], exclude: readonly string[]): Matcher {
  const inc = compileGlobs(include);
  const exc = compileGlobs(exclude);
  return (rel) => inc(rel) && !exc(rel);
}
