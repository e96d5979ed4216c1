// Watches the source tree for changes (the only importer of chokidar) and hands
// them over in quiet batches. Which paths to watch is decided by watchFilter,
// which does no I/O: excluded directories, .git and the state directory are
// never watched, and files no walk would track nor anything else read (a
// .gitignore is watched: it changes what the walk tracks).
import type { FSWatcher } from 'chokidar';
import { treePath } from '../tree-path.js';
import type { RelPath } from '../types.js';
import { IGNORE_FILE } from './ignore-files.js';
import type { CompiledSpec } from './match.js';

/** What a watcher knows of an entry when it asks; absent when it has not stat'ed it yet. */
interface EntryKind {
  isDirectory(): boolean;
}

export interface WatchFilterInput {
  sourceTree: string;
  spec: CompiledSpec;
  /** Watched whatever the globs say: the config file, tool inputs, the whitelist file (absolute). */
  alwaysWatched: ReadonlySet<string>;
  /** Files tools write (their depfiles), never a reason to run. */
  isOutput: (rel: string) => boolean;
}

/** Whether the watcher should ignore this absolute path: true for what no scan would track. */
export function watchFilter(input: WatchFilterInput): (abs: string, entry?: EntryKind) => boolean {
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
}

export class TreeWatcher {
  private paths = new Set<RelPath>();
  private files = new Set<string>();
  private lost: string | null = null;
  private lastEventAt = 0;
  private wake: (() => void) | null = null;
  /** Watchers of files added after the start. */
  private readonly added: FSWatcher[] = [];

  private constructor(
    private readonly fsw: FSWatcher,
    private readonly sourceTree: string,
    private readonly chokidarWatch: typeof import('chokidar').watch,
  ) {}

  /** Starts watching and resolves once the initial tree is being watched. */
  static async start(opts: {
    sourceTree: string;
    ignored: (abs: string, entry?: EntryKind) => boolean;
    extraFiles: readonly string[];
  }): Promise<TreeWatcher> {
    // chokidar loads when a watch starts: every other command goes without it (issue 15).
    const { watch: chokidarWatch } = await import('chokidar');
    const fsw = chokidarWatch([opts.sourceTree, ...opts.extraFiles], {
      ignored: opts.ignored,
      ignoreInitial: true,
      followSymlinks: false,
      // Exact names: chokidar's atomic mode drops names like `x~`; the quiet period covers editors' rename dance.
      atomic: false,
      persistent: true,
    });
    const w = new TreeWatcher(fsw, opts.sourceTree, chokidarWatch);
    fsw.on('all', (_event, p) => w.noteChange(p));
    fsw.on('error', (err) => w.noteLoss(err instanceof Error ? err.message : String(err)));
    await new Promise<void>((resolve) => fsw.once('ready', () => resolve()));
    return w;
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
    const batch: WatchBatch = { paths: this.paths, files: this.files, lost: this.lost };
    this.paths = new Set();
    this.files = new Set();
    this.lost = null;
    return batch;
  }

  /**
   * Watches more files (given absolute): files a job was found to depend on.
   * Resolves once they are watched, so that a caller can then look for a
   * change made before that (chokidar's add() says nothing of when it is done;
   * a watcher of their own reports 'ready').
   */
  async add(files: readonly string[]): Promise<void> {
    if (files.length === 0) return;
    const fsw = this.chokidarWatch([...files], {
      ignoreInitial: true,
      followSymlinks: false,
      atomic: false,
      persistent: true,
    });
    this.added.push(fsw);
    fsw.on('all', (_event, p) => this.noteChange(p));
    fsw.on('error', (err) => this.noteLoss(err instanceof Error ? err.message : String(err)));
    await new Promise<void>((resolve) => fsw.once('ready', () => resolve()));
  }

  /** A change found other than by an event: it makes the next batch like any other. */
  markChanged(abs: string): void {
    this.noteChange(abs);
  }

  async close(): Promise<void> {
    await Promise.all([this.fsw, ...this.added.splice(0)].map((w) => w.close()));
  }
}
