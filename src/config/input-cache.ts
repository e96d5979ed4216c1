// The stat cache behind declared inputs: a file's digest and a directory's
// listing are reused while their stat is unchanged, so an unchanged input
// costs a stat, never a read. Kept in the manifest as one snapshot; holds
// absolute paths, so it never enters a latch. Pure data: no I/O here.
import type fs from 'node:fs';
import type { EncodedConsulted } from '../deps/consulted.js';
import type { JsImport } from '../deps/javascript-imports.js';
import { RACY_MARGIN_MS } from '../racy-margin.js';

interface StatKey {
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  /** When it was read (ms since the epoch): a change within the clock's margin before that may be unseen. */
  at: number;
}

export interface CachedFile extends StatKey {
  size: number;
  digest: string;
}

export interface CachedDir extends StatKey {
  /** Names of entries that are not directories (files, symbolic links). */
  files: string[];
  /** Names of subdirectories. */
  dirs: string[];
}

/** A source file a closure was read from, and the imports read then. */
export interface ClosureSource extends StatKey {
  size: number;
  imports: JsImport[];
}

/** What a set of files imports through the tree (setup-imports.ts), and what proves it unchanged. */
export interface CachedClosure {
  /** Tree-relative path -> the file as it was read. */
  sources: [string, ClosureSource][];
  /** What resolving the imports consulted (deps/consulted.ts, encoded). */
  consulted: EncodedConsulted;
  out: string[];
}

const VERSION = 1;

/** Whether a file whose stat is `st` is provably the one `key` was read from. */
export function sameStat(key: StatKey, st: fs.Stats): boolean {
  // Git's racy rule: an entry modified just before it was read may have changed again unseen.
  return (
    key.mtimeMs === st.mtimeMs &&
    key.ctimeMs === st.ctimeMs &&
    key.ino === st.ino &&
    Math.max(st.mtimeMs, st.ctimeMs) < key.at - RACY_MARGIN_MS
  );
}

export class InputCache {
  private readonly files = new Map<string, CachedFile>();
  private readonly dirs = new Map<string, CachedDir>();
  private readonly closures = new Map<string, CachedClosure>();
  /** What this process looked up or stored; only that is written back, so entries of removed inputs go. */
  private readonly usedFiles = new Set<string>();
  private readonly usedDirs = new Set<string>();
  private readonly usedClosures = new Set<string>();
  private dirty = false;

  static decode(data: Buffer | undefined): InputCache {
    const cache = new InputCache();
    if (data === undefined) return cache;
    try {
      const parsed = JSON.parse(data.toString('utf8')) as {
        v: number;
        files: [string, CachedFile][];
        dirs: [string, CachedDir][];
        closures?: [string, CachedClosure][];
      };
      if (parsed.v !== VERSION) return cache;
      for (const [p, f] of parsed.files) cache.files.set(p, f);
      for (const [p, d] of parsed.dirs) cache.dirs.set(p, d);
      for (const [k, c] of parsed.closures ?? []) cache.closures.set(k, c);
    } catch {
      // A cache that does not parse is only a cache: every input is read again.
    }
    return cache;
  }

  /** The stored digest of a file, when its stat says it has not changed. */
  file(abs: string, st: fs.Stats): string | undefined {
    const hit = this.files.get(abs);
    if (hit === undefined || hit.size !== st.size || !sameStat(hit, st)) return undefined;
    this.usedFiles.add(abs);
    return hit.digest;
  }

  storeFile(abs: string, st: fs.Stats, digest: string, at: number): void {
    this.files.set(abs, { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, at, digest });
    this.usedFiles.add(abs);
    this.dirty = true;
  }

  dir(abs: string, st: fs.Stats): CachedDir | undefined {
    const hit = this.dirs.get(abs);
    if (hit === undefined || !sameStat(hit, st)) return undefined;
    this.usedDirs.add(abs);
    return hit;
  }

  storeDir(abs: string, st: fs.Stats, files: string[], dirs: string[], at: number): void {
    this.dirs.set(abs, { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, at, files, dirs });
    this.usedDirs.add(abs);
    this.dirty = true;
  }

  /** The closure last stored under `key` (its roots), unproven: the caller checks it. */
  closure(key: string): CachedClosure | undefined {
    const hit = this.closures.get(key);
    if (hit !== undefined) this.usedClosures.add(key);
    return hit;
  }

  storeClosure(key: string, closure: CachedClosure): void {
    this.closures.set(key, closure);
    this.usedClosures.add(key);
    this.dirty = true;
  }

  /** Whether writing the cache back would change it: something was stored, or something went unused. */
  get changed(): boolean {
    return (
      this.dirty ||
      this.usedFiles.size !== this.files.size ||
      this.usedDirs.size !== this.dirs.size ||
      this.usedClosures.size !== this.closures.size
    );
  }

  /** What was used since the cache was loaded (or last encoded), to store; starts a new round. */
  encode(): Buffer {
    const files = [...this.usedFiles].map((p) => [p, this.files.get(p)!] as const);
    const dirs = [...this.usedDirs].map((p) => [p, this.dirs.get(p)!] as const);
    const closures = [...this.usedClosures].map((k) => [k, this.closures.get(k)!] as const);
    this.files.clear();
    this.dirs.clear();
    this.closures.clear();
    for (const [p, f] of files) this.files.set(p, f);
    for (const [p, d] of dirs) this.dirs.set(p, d);
    for (const [k, c] of closures) this.closures.set(k, c);
    this.usedFiles.clear();
    this.usedDirs.clear();
    this.usedClosures.clear();
    this.dirty = false;
    return Buffer.from(JSON.stringify({ v: VERSION, files, dirs, closures }), 'utf8');
  }
}
