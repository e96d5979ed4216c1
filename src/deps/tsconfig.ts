// Which tsconfig a file of the source tree is compiled under, as tsc and
// tsserver pick it, and the compilerOptions.paths/baseUrl it gives the file's
// imports ("extends" applied). Reads only through the resolver (exists,
// readJson): those reads are what the kept graph proves unchanged.
import path from 'node:path';
import { treePath } from '../tree-path.js';
import type { JsResolver } from './javascript-resolver.js';
import { resolveExtends } from './tsconfig-extends.js';

/** What a tsconfig says about resolving non-relative specifiers. */
export interface TsPaths {
  /** compilerOptions.baseUrl, absolute; null when unset. */
  baseUrl: string | null;
  /** Where relative "paths" targets start: baseUrl, else the directory of the tsconfig that declares "paths". */
  pathsBase: string;
  /** "paths" in their own order; a `${configDir}` target is already absolute. */
  paths: [pattern: string, targets: string[]][];
}

/** The resolver's view of the file system (only exists and readJson are used): nothing else is read. */
type TsconfigReader = JsResolver;

/**
 * The "paths" and baseUrl that apply to imports written in `fromAbs`; null for
 * none, and for a file outside the source tree or under node_modules (Node's
 * resolution only there).
 */
export function tsPathsFor(fromAbs: string, r: TsconfigReader): TsPaths | null {
  const lookup = lookupOf(r);
  let found = lookup.byFile.get(fromAbs);
  if (found === undefined) {
    const relative = treePath(r.sourceTree, fromAbs);
    const isInside = relative !== null && relative !== '';
    const owner = isInside && !relative.split('/').includes('node_modules') ? lookup.ownerOf(fromAbs) : null;
    found = owner === null ? null : owner.tsPaths;
    lookup.byFile.set(fromAbs, found);
  }
  return found;
}

/**
 * The "paths" targets for `spec`, `*` replaced: TypeScript takes an exact
 * pattern, else the matching pattern with one `*` and the longest prefix
 * (matchPatternOrExact), then tries its targets in order.
 */
export function pathsTargets(spec: string, tsPaths: TsPaths): string[] {
  const exact = tsPaths.paths.find(([pattern]) => pattern === spec);
  if (exact !== undefined) return exact[1];
  let best: { prefix: string; star: string; targets: string[] } | null = null;
  for (const [pattern, targets] of tsPaths.paths) {
    const star = pattern.indexOf('*');
    if (star === -1 || pattern.indexOf('*', star + 1) !== -1) continue;
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (spec.length < prefix.length + suffix.length || !spec.startsWith(prefix) || !spec.endsWith(suffix)) continue;
    if (best === null || prefix.length > best.prefix.length) {
      best = { prefix, star: spec.slice(prefix.length, spec.length - suffix.length), targets };
    }
  }
  if (best === null) return [];
  const { star } = best;
  return best.targets.map((t) => t.split('*').join(star));
}

/**
 * One tsconfig with its "extends" applied, before `${configDir}` is replaced
 * (it means the directory of the tsconfig in use, not of the one declaring it).
 * Paths are absolute except those starting with the template.
 */
interface Merged {
  options: {
    baseUrl?: string;
    paths?: [string, string[]][];
    /** The directory of the tsconfig that declared "paths" (TypeScript's pathsBasePath). */
    pathsBasePath?: string;
    outDir?: string;
    declarationDir?: string;
  };
  files?: string[];
  include?: string[];
  exclude?: string[];
  /** Own "references" only (they are not inherited), as tsconfig file paths. */
  references: string[];
}

/** A tsconfig in use: what it owns and what it gives resolution. */
interface Project {
  file: string;
  owns(abs: string): boolean;
  references: string[];
  tsPaths: TsPaths | null;
}

const CONFIG_DIR = '${configDir}';

// One lookup per resolver: resolution asks for every import of every file.
const lookups = new WeakMap<TsconfigReader, TsconfigLookup>();

function lookupOf(r: TsconfigReader): TsconfigLookup {
  let l = lookups.get(r);
  if (l === undefined) {
    l = new TsconfigLookup(r);
    lookups.set(r, l);
  }
  return l;
}

class TsconfigLookup {
  readonly byFile = new Map<string, TsPaths | null>();
  private readonly nearestByDir = new Map<string, string | null>();
  private readonly merged = new Map<string, Merged | null>();
  private readonly projects = new Map<string, Project | null>();

  constructor(private readonly r: TsconfigReader) {}

  /**
   * The nearest tsconfig.json upward that owns the file (its files/include/
   * exclude), else a project one of them references that does (a
   * solution-style tsconfig), searching further up as tsserver does. A file
   * none owns (a test file a tsconfig excludes) still gets the nearest one:
   * the tools run on it (vitest, bundlers) read that tsconfig's "paths", and a
   * resolved alias is a dependency where no tsconfig would leave it unresolved.
   */
  ownerOf(abs: string): Project | null {
    let nearest: Project | null = null;
    for (let file = this.nearest(path.dirname(abs)); file !== null; file = this.above(file)) {
      const project = this.project(file);
      if (project === null) continue;
      nearest ??= project;
      const owner = this.owningReference(project, abs, new Set());
      if (owner !== null) return owner;
    }
    return nearest;
  }

  /** The next tsconfig.json above the directory of `file`, not past the source tree. */
  private above(file: string): string | null {
    const dir = path.dirname(file);
    return dir === this.r.sourceTree ? null : this.nearest(path.dirname(dir));
  }

  private owningReference(project: Project, abs: string, seen: Set<string>): Project | null {
    if (seen.has(project.file)) return null;
    seen.add(project.file);
    if (project.owns(abs)) return project;
    for (const ref of project.references) {
      const referenced = this.project(ref);
      const owner = referenced === null ? null : this.owningReference(referenced, abs, seen);
      if (owner !== null) return owner;
    }
    return null;
  }

  /** tsconfig.json in `dir` or the nearest directory above it within the source tree. */
  private nearest(dir: string): string | null {
    let found = this.nearestByDir.get(dir);
    if (found === undefined) {
      const candidate = path.join(dir, 'tsconfig.json');
      if (this.r.exists(candidate) === 'file') found = candidate;
      else if (dir === this.r.sourceTree || !dir.startsWith(this.r.sourceTree + path.sep)) found = null;
      else found = this.nearest(path.dirname(dir));
      this.nearestByDir.set(dir, found);
    }
    return found;
  }

  private project(file: string): Project | null {
    let p = this.projects.get(file);
    if (p === undefined) {
      const m = this.load(file, []);
      p = m === null ? null : toProject(file, m);
      this.projects.set(file, p);
    }
    return p;
  }

  /** `file` parsed with its "extends" applied; null when missing or not JSON. A cycle's back edge is dropped. */
  private load(file: string, stack: readonly string[]): Merged | null {
    const cached = this.merged.get(file);
    if (cached !== undefined) return cached;
    const raw = this.r.readJson(file);
    if (!isRecord(raw)) {
      this.merged.set(file, null);
      return null;
    }
    const dir = path.dirname(file);
    const result: Merged = { options: {}, references: readReferences(raw.references, dir) };
    const own = readOwn(raw, dir);
    const bases = typeof raw.extends === 'string' ? [raw.extends] : Array.isArray(raw.extends) ? raw.extends : [];
    // TypeScript 5: later entries of an "extends" array override earlier ones; the file itself overrides all.
    for (const spec of bases) {
      if (typeof spec !== 'string') continue;
      const baseFile = resolveExtends(spec, dir, this.r);
      if (baseFile === null) continue;
      if (baseFile === file || stack.includes(baseFile)) continue;
      const base = this.load(baseFile, [...stack, file]);
      if (base === null) continue;
      Object.assign(result.options, base.options);
      for (const key of ['files', 'include', 'exclude'] as const) {
        if (base[key] !== undefined) result[key] = base[key];
      }
    }
    Object.assign(result.options, own.options);
    for (const key of ['files', 'include', 'exclude'] as const) {
      if (own[key] !== undefined) result[key] = own[key];
    }
    // Within a cycle a base's result depends on where the cycle was entered: keep only the tsconfigs in use.
    if (stack.length === 0) this.merged.set(file, result);
    return result;
  }
}

/** A file's own settings; relative paths made absolute from its directory. */
function readOwn(raw: Record<string, unknown>, dir: string): Omit<Merged, 'references'> {
  const own: Omit<Merged, 'references'> = { options: {} };
  const co = isRecord(raw.compilerOptions) ? raw.compilerOptions : {};
  for (const key of ['baseUrl', 'outDir', 'declarationDir'] as const) {
    const v = co[key];
    if (typeof v === 'string') own.options[key] = absolute(v, dir);
  }
  if (isRecord(co.paths)) {
    own.options.paths = Object.entries(co.paths).map(([pattern, targets]) => [
      pattern,
      Array.isArray(targets) ? targets.filter((t): t is string => typeof t === 'string') : [],
    ]);
    own.options.pathsBasePath = dir;
  }
  for (const key of ['files', 'include', 'exclude'] as const) {
    const v = raw[key];
    if (Array.isArray(v)) own[key] = v.filter((s): s is string => typeof s === 'string').map((s) => absolute(s, dir));
  }
  return own;
}

/** `{ "path": "./pkg" }` names ./pkg/tsconfig.json; a path ending in .json names that file. */
function readReferences(raw: unknown, dir: string): string[] {
  if (!Array.isArray(raw)) return [];
  const out: string[] = [];
  for (const ref of raw) {
    if (!isRecord(ref) || typeof ref.path !== 'string') continue;
    const p = path.resolve(dir, ref.path);
    out.push(p.endsWith('.json') ? p : path.join(p, 'tsconfig.json'));
  }
  return out;
}

function absolute(p: string, dir: string): string {
  return startsWithConfigDir(p) ? p : path.resolve(dir, p);
}

function startsWithConfigDir(p: string): boolean {
  return p.slice(0, CONFIG_DIR.length).toLowerCase() === CONFIG_DIR.toLowerCase();
}

/** `${configDir}` replaced by the directory of the tsconfig in use (TypeScript 5.5). */
function substitute(p: string, configDir: string): string {
  return startsWithConfigDir(p) ? path.resolve(configDir, `./${p.slice(CONFIG_DIR.length)}`) : p;
}

function toProject(file: string, m: Merged): Project {
  const dir = path.dirname(file);
  const sub = (p: string): string => substitute(p, dir);
  const o = m.options;
  const baseUrl = o.baseUrl === undefined ? null : sub(o.baseUrl);
  const paths = (o.paths ?? []).map(([pattern, targets]): [string, string[]] => [pattern, targets.map(sub)]);
  const tsPaths =
    baseUrl === null && paths.length === 0 ? null : { baseUrl, pathsBase: baseUrl ?? o.pathsBasePath ?? dir, paths };
  const files = new Set((m.files ?? []).map(sub));
  // No "include": everything, unless "files" is given (tsc's defaults).
  const include = m.include?.map(sub) ?? (m.files === undefined ? [path.join(dir, '**/*')] : []);
  const exclude = m.exclude?.map(sub) ?? [
    ...['node_modules', 'bower_components', 'jspm_packages'].map((d) => path.join(dir, d)),
    ...[o.outDir, o.declarationDir].filter((d): d is string => d !== undefined).map(sub),
  ];
  const includeRes = include.map((s) => specRegex(s, 'include')).filter((x): x is RegExp => x !== null);
  const excludeRes = exclude.map((s) => specRegex(s, 'exclude')).filter((x): x is RegExp => x !== null);
  return {
    file,
    references: m.references,
    tsPaths,
    // "files" always; "include" less "exclude" (which does not apply to "files").
    owns: (abs) => files.has(abs) || (includeRes.some((re) => re.test(abs)) && !excludeRes.some((re) => re.test(abs))),
  };
}

// tsc's wildcard rules (matchFiles in TypeScript's utilities): `**/` any
// directories but those starting with "." and package folders, `*` and `?`
// within one name (not a leading "." when including), and a last name
// without ".", `*` or `?` means a directory: everything below it.
const PACKAGE_FOLDER = '(?!(?:node_modules|bower_components|jspm_packages)(?:/|$))';
const INCLUDE_STAR = '(?:[^./]|(?:\\.(?!min\\.js$))?)*';

function specRegex(spec: string, usage: 'include' | 'exclude'): RegExp | null {
  const parts = path.resolve(spec).split('/');
  const last = parts[parts.length - 1] ?? '';
  if (usage === 'include' && last === '**') return null;
  if (!/[.*?]/.test(last)) parts.push('**', '*');
  let out = '';
  parts.forEach((part, i) => {
    if (part === '**') {
      out += usage === 'exclude' ? '(?:/.+?)?' : `(?:/${PACKAGE_FOLDER}[^/.][^/]*)*?`;
      return;
    }
    if (i > 0) out += '/';
    if (usage === 'exclude') {
      out += escapeWildcards(part, '[^/]*');
      return;
    }
    let rest = part;
    let pattern = '';
    if (rest.startsWith('*')) {
      pattern += `(?:[^./]${INCLUDE_STAR})?`;
      rest = rest.slice(1);
    } else if (rest.startsWith('?')) {
      pattern += '[^./]';
      rest = rest.slice(1);
    }
    pattern += escapeWildcards(rest, INCLUDE_STAR);
    if (pattern !== rest) out += PACKAGE_FOLDER;
    out += pattern;
  });
  return new RegExp(`^(?:${out})${usage === 'exclude' ? '(?:$|/)' : '$'}`);
}

function escapeWildcards(text: string, star: string): string {
  return text.replace(/[^\w\s/]/g, (c) => (c === '*' ? star : c === '?' ? '[^/]' : `\\${c}`));
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
