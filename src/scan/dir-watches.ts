// Owns the watched directories: one inotify watch per directory (Node's
// fs.watch, not recursive), never one per file, and nothing held per file.
// Which directories and names count is the caller's filter; this file only
// follows the directories as they come, go and move.
import fs from 'node:fs';
import path from 'node:path';

/** What a filter knows of an entry: whether it is a directory. */
export interface EntryKind {
  isDirectory(): boolean;
}

/** Whether to ignore an absolute path, as watchFilter decides. */
export type WatchIgnore = (abs: string, entry?: EntryKind) => boolean;

export interface DirWatchEvents {
  /** A name in a watched directory changed: added, written, removed or renamed (a directory's own path for a new or gone one). */
  changed(abs: string): void;
  /** A directory could not be watched, or a watch failed: changes may go unseen. */
  lost(message: string): void;
}

/** How one directory is watched: fs.watch, or a fake in a unit test. */
export type WatchDir = (dir: string, onEvent: (type: string, name: string | null) => void) => fs.FSWatcher;

const DIRECTORY: EntryKind = { isDirectory: () => true };
const FILE: EntryKind = { isDirectory: () => false };

const nodeWatchDir: WatchDir = (dir, onEvent) =>
  fs.watch(dir, { persistent: true }, (type, name) => onEvent(type, name === null ? null : String(name)));

export class DirWatches {
  private readonly byDir = new Map<string, fs.FSWatcher>();
  /** Set once a directory could not be watched: from then on no batch can be trusted to name every change. */
  incomplete = false;

  constructor(
    private readonly ignored: WatchIgnore,
    private readonly on: DirWatchEvents,
    private readonly watchDir: WatchDir = nodeWatchDir,
  ) {}

  /** How many directories are watched (each one inotify watch). */
  get size(): number {
    return this.byDir.size;
  }

  /** Watches `root` and every directory below it that the filter lets in. */
  watchTree(root: string): void {
    const stack = [root];
    for (let dir = stack.pop(); dir !== undefined; dir = stack.pop()) {
      if (!this.watch(dir)) continue;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        continue; // gone meanwhile, or unreadable: the scan reports it
      }
      for (const e of entries) {
        if (!e.isDirectory()) continue;
        const abs = path.join(dir, e.name);
        if (!this.ignored(abs, DIRECTORY)) stack.push(abs);
      }
    }
  }

  /** Watches one directory for the names in it (a file's directory, for that file); true when it is watched. */
  watch(dir: string): boolean {
    if (this.byDir.has(dir)) return true;
    let w: fs.FSWatcher;
    try {
      w = this.watchDir(dir, (type, name) => this.onEvent(dir, type, name));
    } catch (err) {
      this.failed(dir, err);
      return false;
    }
    w.on('error', (err) => this.failed(dir, err));
    this.byDir.set(dir, w);
    return true;
  }

  close(): void {
    for (const w of this.byDir.values()) w.close();
    this.byDir.clear();
  }

  private onEvent(dir: string, type: string, name: string | null): void {
    // No name: something changed in the directory, which a re-read of it finds.
    if (name === null) return this.on.changed(dir);
    const abs = path.join(dir, name);
    if (type === 'rename') this.renamed(abs);
    else if (!this.ignored(abs, FILE)) this.on.changed(abs);
  }

  /** A name came or went: a new directory is watched whole, a gone one's watches (and those below) closed. */
  private renamed(abs: string): void {
    const st = fs.lstatSync(abs, { throwIfNoEntry: false });
    // What was watched under this name is gone or elsewhere now: its watches would name the old paths.
    const hadWatches = this.unwatchUnder(abs);
    if (st?.isDirectory() === true) {
      if (this.ignored(abs, DIRECTORY)) return;
      // Files written into it before its watch was set send no event: the scan walks a new directory whole.
      this.watchTree(abs);
      this.on.changed(abs);
    } else if (hadWatches || !this.ignored(abs, FILE)) {
      this.on.changed(abs);
    }
  }

  /** Closes the watches of `abs` and of every directory below it; whether there were any. */
  private unwatchUnder(abs: string): boolean {
    // Nothing below an unwatched directory is watched as part of the tree (a file's directory watched for that
    // file alone may be: it stays, and a change there still names that file).
    if (!this.byDir.has(abs)) return false;
    const prefix = abs + path.sep;
    for (const [dir, w] of this.byDir) {
      if (dir !== abs && !dir.startsWith(prefix)) continue;
      w.close();
      this.byDir.delete(dir);
    }
    return true;
  }

  private failed(dir: string, err: unknown): void {
    const code = (err as NodeJS.ErrnoException | null)?.code;
    // Gone before or while it was watched: the parent's event (or the scan) tells of it.
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      this.byDir.get(dir)?.close();
      this.byDir.delete(dir);
      return;
    }
    // Unreadable: the scan reports it as it does in `run`.
    if (code === 'EACCES' || code === 'EPERM') return;
    this.incomplete = true;
    this.on.lost(
      code === 'ENOSPC'
        ? `cannot watch ${dir}: the inotify limit is reached (fs.inotify.max_user_watches; ${this.byDir.size} directories watched): ` +
            'raise it; until then every cycle scans the whole tree, and a change below an unwatched directory starts none'
        : `cannot watch ${dir}: ${err instanceof Error ? err.message : String(err)}; every cycle scans the whole tree`,
    );
  }
}
