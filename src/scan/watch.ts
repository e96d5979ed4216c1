// Watches the source tree for changes (one watch per directory, dir-watches.ts)
// and hands them over in quiet batches. Which paths count is decided by
// watchFilter, which does no I/O: excluded directories, .git and the state
// directory are never watched, and files no walk would track nor anything else
// read start nothing (a .gitignore does: it changes what the walk tracks).
import path from 'node:path';
import { treePath } from '../tree-path.js';
import type { RelPath } from '../types.js';
import { DirWatches, type WatchDir, type WatchIgnore } from './dir-watches.js';
import { IGNORE_FILE } from './ignore-files.js';
import type { CompiledSpec } from './match.js';

export interface WatchFilterInput {
  sourceTree: string;
  spec: CompiledSpec;
  /** Watched whatever the globs say: the config file, tool inputs, the whitelist file (absolute). */
  alwaysWatched: ReadonlySet<string>;
  /** Files tools write (their depfiles), never a reason to run. */
  isOutput: (rel: string) => boolean;
}

/** Whether the watcher should ignore this absolute path: true for what no scan would track. */
export function watchFilter(input: WatchFilterInput): WatchIgnore {
  const { sourceTree, spec } = input;
  const listed = spec.whitelist === null ? null : new Set(spec.whitelist);
  return (abs, entry) => {
    if (input.alwaysWatched.has(abs)) return false;
    const rel = treePath(sourceTree, abs);
    if (rel === '') return false;
    if (rel === null) return true;
    const names = rel.split('/');
    if (names.includes('.git')) return true;
    for (let i = 1; i <= names.length; i++) if (spec.isSkipped(names.slice(0, i).join('/'))) return true;
    if (spec.isExcluded(rel)) return true;
    // Not stat'ed yet: maybe a directory, which must be entered to see what it holds.
    if (entry === undefined || entry.isDirectory()) return false;
    // Its rules decide what the walk tracks, whatever the globs say of it.
    if (spec.gitignore !== null && names[names.length - 1] === IGNORE_FILE) return false;
    if (input.isOutput(rel)) return true;
    if (listed !== null && !listed.has(rel)) return true;
    return !spec.isIncluded(rel);
  };
}

/** A depfile template ("build/{file}.d") as a matcher of the paths it names. */
export function depfileMatcher(templates: readonly string[]): (rel: string) => boolean {
  if (templates.length === 0) return () => false;
  const res = templates.map(
    (t) =>
      new RegExp(
        '^' +
          t
            .split('{file}')
            .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
            .join('.+') +
          '$',
      ),
  );
  return (rel) => res.some((re) => re.test(rel));
}

export interface WatchBatch {
  /** Changed paths inside the source tree (files or directories, added, changed or removed). */
  paths: Set<RelPath>;
  /** Changed watched files, absolute (the config file may lie outside the tree). */
  files: Set<string>;
  /** The watcher reported an error (events may be lost): scan the whole tree. */
  lost: string | null;
  /** Some directory is not watched (the inotify limit, say): no batch names every change, scan the whole tree. */
  partial: boolean;
}

export class TreeWatcher {
  private paths = new Set<RelPath>();
  private files = new Set<string>();
  private lost: string | null = null;
  private lastEventAt = 0;
  private wake: (() => void) | null = null;
  private readonly dirs: DirWatches;

  private constructor(
    private readonly sourceTree: string,
    ignored: WatchIgnore,
    watchDir?: WatchDir,
  ) {
    this.dirs = new DirWatches(
      ignored,
      { changed: (abs) => this.noteChange(abs), lost: (message) => this.noteLoss(message) },
      watchDir,
    );
  }

  /**
   * Starts watching and resolves once the tree is being watched: every
   * directory the filter lets in, and the directories of `extraFiles` (the
   * config outside the tree, ignore rules in .git).
   */
  static async start(opts: {
    sourceTree: string;
    ignored: WatchIgnore;
    extraFiles: readonly string[];
    /** How one directory is watched (fs.watch unless a test gives another). */
    watchDir?: WatchDir;
  }): Promise<TreeWatcher> {
    const w = new TreeWatcher(opts.sourceTree, opts.ignored, opts.watchDir);
    w.dirs.watchTree(opts.sourceTree);
    await w.add(opts.extraFiles);
    return w;
  }

  /** How many directories are watched: one inotify watch each. */
  get watchedDirectories(): number {
    return this.dirs.size;
  }

  private noteChange(abs: string): void {
    this.files.add(abs);
    const rel = treePath(this.sourceTree, abs);
    if (rel !== null && rel !== '') this.paths.add(rel);
    this.poke();
  }

  private noteLoss(message: string): void {
    this.lost ??= message;
    this.poke();
  }

  private poke(): void {
    this.lastEventAt = performance.now();
    this.wake?.();
  }

  private get hasPending(): boolean {
    return this.files.size > 0 || this.lost !== null;
  }

  /**
   * The changes since the last batch, once none has come for quietMs; null
   * when the signal aborts first. Changes that arrive meanwhile wait for the
   * next call: none is lost.
   */
  async next(quietMs: number, signal: AbortSignal): Promise<WatchBatch | null> {
    const onAbort = (): void => this.wake?.();
    signal.addEventListener('abort', onAbort);
    // Cleared on every wake: an abort (the watch ends, or a key's cycle goes first) must not leave
    // a timer of up to --debounce behind, holding the process open.
    let quietTimer: NodeJS.Timeout | undefined;
    try {
      for (;;) {
        if (signal.aborted) return null;
        const quietFor = performance.now() - this.lastEventAt;
        if (this.hasPending && quietFor >= quietMs) break;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          if (this.hasPending) quietTimer = setTimeout(resolve, quietMs - quietFor);
        });
        clearTimeout(quietTimer);
        this.wake = null;
      }
    } finally {
      clearTimeout(quietTimer);
      signal.removeEventListener('abort', onAbort);
      this.wake = null;
    }
    const batch: WatchBatch = { paths: this.paths, files: this.files, lost: this.lost, partial: this.dirs.incomplete };
    this.paths = new Set();
    this.files = new Set();
    this.lost = null;
    return batch;
  }

  /**
   * Watches more files (given absolute): files a job was found to depend on,
   * through their directories' watches (an editor's save by rename keeps
   * its name there). Resolves once they are watched (fs.watch sets its
   * watch before it returns), so that a caller can then look for a change
   * made before that. A file whose directory does not exist is watched from
   * the nearest one above it in the tree, which sees the directory come.
   */
  add(files: readonly string[]): Promise<void> {
    for (const f of files) {
      for (let dir = path.dirname(f); ; dir = path.dirname(dir)) {
        if (this.dirs.watch(dir) || treePath(this.sourceTree, dir) === null || dir === path.dirname(dir)) break;
      }
    }
    return Promise.resolve();
  }

  /** A change found other than by an event: it makes the next batch like any other. */
  markChanged(abs: string): void {
    this.noteChange(abs);
  }

  close(): Promise<void> {
    this.dirs.close();
    return Promise.resolve();
  }
}
