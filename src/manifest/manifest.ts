// Loads the manifest from the store in one read, adopts scan changes, and
// writes them back in one transaction; journals each job result as it lands
// and folds the journal into the snapshot when the run ends.
import {
  EXTRA_RESULTS,
  KEPT_LOG_BYTES,
  type LatchRow,
  type MerkleRow,
  RESULT_HISTORY,
  type RawResultRow,
  type LargeSnapshot,
  SETTLED_KEY,
  Store,
} from '../store/index.js';
import { StateWriteError } from '../errors.js';
import type { LatchId, RelPath } from '../types.js';
import {
  decodeDirs,
  decodeFileChanges,
  decodeFiles,
  encodeDirs,
  encodeFileChanges,
  encodeFiles,
  encodeResults,
  fromJournal,
  toJournal,
} from './codec.js';
import { foldsAt } from './file-changes.js';
import { FileTable, type TableCheckpoint } from './file-table.js';
import { type Stored, leastRecentlyUsed, listOf, putFirst } from './history.js';
import { type DirListing, type FileEntry, type JobResult, type ToolLatch, logFileName } from './model.js';
import { PackedResults } from './packed-results.js';
import type { ScanUpdate } from './scan-update.js';

/** A job's stored results, or (until something asks for it) the index of its one result in the packed snapshot. */
export type Slot = Stored | number;

const META_THRESHOLD = 'racy_threshold_ms';
/** The manifest's files and directories before a scan (see scanCheckpoint). */
export interface ScanCheckpoint {
  readonly files: FileTable;
  readonly dirs: Map<RelPath, DirListing>;
  readonly undo: TableCheckpoint;
}

/**
 * Each save's changes to the files list (file-changes.ts), one snapshot per save named by its sequence number
 * (`files_delta/1`, `files_delta/2`, ...), written instead of the whole list while they are few, in the same
 * transaction as everything a save writes, and replayed on `files` in sequence at load (schema 4: a runner
 * that would read `files` without them refuses the store).
 */
const FILES_DELTA = 'files_delta/';
/** Deltas beyond this many are folded into the whole list by the save: each is a row read at every load. */
const MAX_DELTAS = 256;
/**
 * From this many deltas (or half of foldsAt's entries), flush() folds them when a run ends: after a watch
 * cycle's jobs started, so that the save before them stays small.
 */
const FOLD_DELTAS_AT_FLUSH = 32;
/** The snapshots the manifest itself reads and writes. */
const CORE_SNAPSHOTS = new Set(['files', 'dirs', 'results']);
const isCore = (name: string): boolean => CORE_SNAPSHOTS.has(name) || name.startsWith(FILES_DELTA);
/** Another stage's snapshot larger than this is read when first asked for (blob()), not with the rest. */
const LATER_BLOB_BYTES = 64 * 1024;
const META_WALK_SPEC = 'walk_spec';
/** The file-watching service's clock the files hold at (api/watchman-scan.ts owns its form). */
const META_WATCH_STATE = 'watch_state';
const NO_RESULTS: readonly JobResult[] = [];

export class Manifest {
  // The working tree's files and directories as the last scan adopted them: only a scan changes them
  // (adoptScan, restoreScan), so no caller can swap another tree's in (issue 13: a stage gets a TreeView).
  private scannedFiles = FileTable.empty();
  private scannedDirs = new Map<RelPath, DirListing>();
  /**
   * The files and results snapshots as read, until first used (issue 17 point 1): the walk decodes them
   * (decodeAhead) while a worker thread stats the files, rather than before the stat pass starts.
   */
  private filesBlob: Buffer | null = null;
  /** The files deltas stored after the files snapshot, oldest first, replayed on it at its first use. */
  private deltaBlobs: Buffer[] | null = null;
  private resultsRead: { journal: readonly RawResultRow[] } | null = null;
  get files(): FileTable {
    const blob = this.unreadBlob('files');
    if (blob !== null || this.deltaBlobs !== null) {
      if (blob !== null) this.scannedFiles = decodeFiles(blob);
      this.deltas.baseCount = this.scannedFiles.size;
      this.filesBlob = null;
      for (const blob of this.deltaBlobs ?? []) {
        const changes = decodeFileChanges(blob);
        this.scannedFiles.applyChanges(changes);
        this.deltas.entries += changes.length;
        if (changes.some(([, op]) => op !== 'set')) this.deltas.onlySet = false;
      }
      this.deltaBlobs = null;
      // Replayed: what a save writes next counts from here.
      this.scannedFiles.markSaved();
    }
    return this.scannedFiles;
  }
  get dirs(): Map<RelPath, DirListing> {
    const blob = this.unreadBlob('dirs');
    if (blob !== null) {
      decodeDirs(blob, this.scannedDirs);
      this.dirsBlob = null;
    }
    return this.scannedDirs;
  }
  /** The directories snapshot as read, until first used (a settled no-op checks it packed: scan/settled.ts). */
  private dirsBlob: Buffer | null = null;
  /**
   * The large snapshots the store holds and that were not read yet (Store.read leaves them): each is read at
   * its first use, with the lock held since the load. A settled no-op that asks watchman reads none.
   */
  private unread = new Set<LargeSnapshot>();

  /** A large snapshot's blob as stored, read now if it was not yet; null once decoded (or absent). */
  private unreadBlob(name: 'files' | 'dirs'): Buffer | null {
    if (this.unread.delete(name)) {
      const blob = this.readLarge(name) ?? null;
      if (name === 'files') this.filesBlob = blob;
      else this.dirsBlob = blob;
    }
    return name === 'files' ? this.filesBlob : this.dirsBlob;
  }

  /** A snapshot left unread by the load (a large one, or another stage's: unreadBlobs). */
  private readLarge(name: string): Buffer | undefined {
    if (this.changedElsewhere()) throw new Error(`${this.store.path} changed since it was loaded`);
    return this.store.snapshot(name);
  }
  /**
   * Per tool, per file: results most recently used first (files that are gone keep theirs too). A number is
   * the index of a job's only result in `packed`, built into an object the first time it is asked for.
   */
  get results(): Map<string, Map<RelPath, Slot>> {
    this.decodeResults();
    return this.byTool;
  }
  private readonly byTool = new Map<string, Map<RelPath, Slot>>();
  private packed: PackedResults | null = null;
  /** Entries with mtime or ctime at or after this may have changed unseen (git's racy rule). */
  racyThresholdMs = 0;
  walkSpec: string | null = null;
  private readonly latchJson = new Map<string, string>();
  private readonly latchCache = new Map<string, ToolLatch>();
  private readonly newLatches = new Map<string, string>();
  private pending: ScanUpdate | null = null;
  /** The store holds a files snapshot written whole, which a files delta can be replayed on. */
  private hasFilesBase = false;
  /** The store holds a results snapshot (read at the first use of a result). */
  private hasResults = false;
  /** The jobsKey (save) the results were last checked under. */
  private sweptFor: string | null = null;
  /**
   * The files deltas stored, by sequence number, oldest first, and how many entries they hold in all; once the
   * files are decoded, whether every delta only sets entries and how many files the snapshot under them holds
   * (together: the deltas change files in place, and the stored tree's check can read them: storedTree()).
   */
  private readonly deltas = { sequence: [] as number[], entries: 0, onlySet: true, baseCount: -1 };
  /** Snapshots other stages keep (the deps stage's import cache), and which changed. */
  private readonly blobs = new Map<string, Buffer>();
  /** Those of them too large to read before they are asked for (LATER_BLOB_BYTES): read by blob() then. */
  private unreadBlobs = new Set<string>();
  private readonly changedBlobs = new Set<string>();
  /** Results were pruned: the results snapshot must be rewritten. */
  private resultsDirty = false;
  /** The results were folded since the last flush(). */
  private folded = false;
  /** Results in the journal, not yet folded into the snapshot. */
  private journalRows = 0;
  private resultCount = 0;
  private logBytes = 0;
  /** Graph nodes read or written this session, by hash. */
  private readonly merkle = new Map<string, MerkleRow>();
  /** Results pushed out of a history while replaying the journal; their logs go at the next save. */
  private droppedOnLoad: JobResult[] = [];
  private readonly meta = new Map<string, string>();
  /** The store's data_version when loaded: another runner has written since when it differs. */
  private loadedVersion = 0;

  private constructor(private readonly store: Store) {}

  /** Opens the store (creating it when absent) and loads it in one read. */
  static open(file: string): Manifest {
    const store = Store.open(file);
    try {
      return Manifest.load(store);
    } catch (err) {
      store.close();
      throw err;
    }
  }

  private static load(store: Store): Manifest {
    const m = new Manifest(store);
    m.loadedVersion = store.dataVersion();
    // An import cache of 10,000 files is MBs that a no-op whose graph holds never reads.
    const state = store.read((name, bytes) => !isCore(name) && bytes > LATER_BLOB_BYTES);
    for (const [k, v] of state.meta) m.meta.set(k, v);
    m.racyThresholdMs = Number(state.meta.get(META_THRESHOLD) ?? 0);
    m.walkSpec = state.meta.get(META_WALK_SPEC) ?? null;
    m.unread = new Set([...state.large].filter((n): n is LargeSnapshot => n === 'files' || n === 'dirs'));
    m.hasFilesBase = state.large.has('files');
    m.hasResults = state.large.has('results');
    for (const [name] of state.snapshots)
      if (name.startsWith(FILES_DELTA)) m.deltas.sequence.push(Number(name.slice(FILES_DELTA.length)));
    m.deltas.sequence.sort((a, b) => a - b);
    if (m.deltas.sequence.length > 0)
      m.deltaBlobs = m.deltas.sequence.map((n) => state.snapshots.get(FILES_DELTA + n)!);

    for (const [id, json] of state.latches) m.latchJson.set(id, json);
    for (const [name, data] of state.snapshots) if (!isCore(name)) m.blobs.set(name, data);
    m.unreadBlobs = state.later;
    m.resultsRead = { journal: state.journal };
    m.journalRows = state.journal.length;
    return m;
  }

  /**
   * Decodes the files and results snapshots now if not yet done: the walk calls it while a worker thread
   * stats the files (scan/walk.ts), so that the two overlap on a machine with a second core.
   */
  decodeAhead(): void {
    void this.files;
    this.decodeResults();
  }

  /** The results snapshot and the journal after it, read into `results` (once, at the first use of a result). */
  private decodeResults(): void {
    const read = this.resultsRead;
    if (read === null) return;
    this.resultsRead = null;
    // Read only now (a settled no-op never asks), unless a peek read it.
    const packed = this.peekedPacked !== undefined ? this.peekedPacked : this.readPacked();
    this.peekedPacked = undefined;
    if (packed !== null) {
      // Kept packed: a job's only result stays an index until asked for; a history of several is built now.
      this.packed = packed;
      // Keyed by the file table's own strings where a result's path is a tracked file's (its rows are in the
      // files' order, so mostly the next row): the plan's lookups, by those strings, then match by identity.
      const table =
        this.filesBlob === null && this.deltaBlobs === null && !this.unread.has('files') ? this.scannedFiles : null;
      let near = 0;
      let tool: string | null = null;
      let byPath: Map<RelPath, Slot> | null = null;
      for (let i = 0; i < packed.count; i++) {
        if (byPath === null || packed.toolAt(i) !== tool) {
          byPath = this.byPath((tool = packed.toolAt(i)));
          near = 0;
        }
        let path = packed.pathAt(i);
        const row = table === null ? -1 : table.rowNamed(path, near);
        if (row >= 0) {
          path = table!.rowPath(row);
          packed.sharePath(i, path);
          near = row + 1;
        }
        const known = byPath.get(path);
        if (known === undefined) byPath.set(path, i);
        else {
          const r = packed.result(i);
          const list = listOf(this.resolve(byPath, path, known));
          byPath.set(path, [r, ...list]);
        }
        this.resultCount++;
        this.logBytes += packed.logBytesAt(i);
      }
    }
    for (const row of read.journal) this.droppedOnLoad.push(...this.remember(fromJournal(row)));
  }

  private readPacked(): PackedResults | null {
    const snapshot = this.hasResults ? this.readLarge('results') : undefined;
    return snapshot === undefined ? null : PackedResults.decode(snapshot);
  }

  /** The results snapshot as a peek read it, for decodeResults to take; undefined: not read. */
  private peekedPacked: PackedResults | null | undefined = undefined;

  /**
   * One job's results, as history() gives them, without building every other job's while the results are
   * not decoded yet: what a plan narrowed to a few changed files asks (api/settled-run.ts narrowedPlan), so
   * that their jobs start before the rest are read. The same putFirst() the decoding does, on this job's
   * rows alone. One pass over every stored row per job: for a few jobs only.
   */
  peekHistory(tool: string, path: RelPath): readonly JobResult[] {
    const read = this.resultsRead;
    if (read === null) return this.history(tool, path);
    // The same objects for the same job, as history() gives: the plan compares them by identity.
    const key = `${tool}\0${path}`;
    const seen = this.peeked.get(key);
    if (seen !== undefined) return seen;
    if (this.peekedPacked === undefined) this.peekedPacked = this.readPacked();
    const packed = this.peekedPacked;
    let known: Stored | undefined;
    if (packed !== null)
      for (let i = 0; i < packed.count; i++)
        if (packed.pathAt(i) === path && packed.toolAt(i) === tool) {
          const r = packed.result(i);
          known = known === undefined ? r : [r, ...listOf(known)];
        }
    for (const row of read.journal)
      if (row[1] === path && row[0] === tool) known = putFirst(known, fromJournal(row), RESULT_HISTORY).stored;
    const history = known === undefined ? NO_RESULTS : listOf(known);
    this.peeked.set(key, history);
    return history;
  }

  private readonly peeked = new Map<string, readonly JobResult[]>();

  get path(): string {
    return this.store.path;
  }

  private restoredTaken = false;

  /** Once: the -wal/-shm files opening found read-only and made writable again, for a warning. */
  takeRestored(): readonly string[] {
    if (this.restoredTaken) return [];
    this.restoredTaken = true;
    return this.store.restored;
  }

  /** True when another runner wrote the store since this manifest was loaded: load it again before using it. */
  changedElsewhere(): boolean {
    return this.store.dataVersion() !== this.loadedVersion;
  }

  /**
   * The files snapshot as stored with what the deltas after it set, when nothing has decoded them and every
   * delta only sets entries (files changed in place, or added: the check's count of names tells those apart);
   * null otherwise. What the stored tree's check reads (scan/settled.ts).
   */
  storedFilesAndDeltas(): { base: Buffer; set: ReadonlyMap<RelPath, FileEntry> } | null {
    const base = this.unreadBlob('files');
    if (base === null) return null;
    const set = new Map<RelPath, FileEntry>();
    for (const blob of this.deltaBlobs ?? []) {
      for (const [path, op, entry] of decodeFileChanges(blob)) {
        if (op !== 'set' || entry === null) return null;
        set.set(path, entry);
      }
    }
    return { base, set };
  }

  /**
   * About how many files are tracked, enough to tell whether watchman is worth asking: until the files are
   * decoded, the snapshot's header (the deltas after it left out), so that asking decodes nothing.
   */
  get fileCount(): number {
    const blob = this.unreadBlob('files');
    return blob !== null && blob.length >= 8 ? blob.readUInt32LE(0) : this.files.size;
  }

  /** The directories snapshot as stored, when nothing has decoded it yet (scan/settled.ts); null otherwise. */
  storedDirs(): Buffer | null {
    return this.unreadBlob('dirs');
  }

  /** The settled mark as loaded (api/settled-run.ts): present only when nothing was written since a run stored it. */
  get settled(): string | undefined {
    return this.meta.get(SETTLED_KEY);
  }

  /** Stores the settled mark, unless it is stored already and nothing was written since. */
  settle(value: string): void {
    if (!this.store.wrote && this.meta.get(SETTLED_KEY) === value) return;
    this.store.settle(value);
    this.meta.set(SETTLED_KEY, value);
  }

  /** A stored setting outside the manifest's own (the state directory's layout version, say). */
  setting(key: string): string | undefined {
    return this.meta.get(key);
  }

  /** The file-watching service's state stored with the files (ScanUpdate.watchState). */
  get watchState(): string | undefined {
    return this.meta.get(META_WATCH_STATE);
  }

  /** Writes a setting at once. */
  putSetting(key: string, value: string): void {
    this.store.write({ meta: [[key, value]], snapshots: [], deleteLatches: [], clearJournal: false });
    this.meta.set(key, value);
  }

  /** A slot's results as objects, built (and kept in the map) the first time. */
  private resolve(byPath: Map<RelPath, Slot>, path: RelPath, slot: Slot): Stored {
    if (typeof slot !== 'number') return slot;
    const r = this.packed!.result(slot);
    byPath.set(path, r);
    return r;
  }

  private storedOf(tool: string, path: RelPath): Stored | undefined {
    const byPath = this.results.get(tool);
    const slot = byPath?.get(path);
    return slot === undefined ? undefined : this.resolve(byPath!, path, slot);
  }

  private byPath(tool: string): Map<RelPath, Slot> {
    let byPath = this.results.get(tool);
    if (byPath === undefined) this.results.set(tool, (byPath = new Map()));
    return byPath;
  }

  latch(id: LatchId): ToolLatch | undefined {
    let latch = this.latchCache.get(id);
    if (latch === undefined) {
      const json = this.latchJson.get(id) ?? this.newLatches.get(id);
      if (json === undefined) return undefined;
      latch = JSON.parse(json) as ToolLatch;
      this.latchCache.set(id, latch);
    }
    return latch;
  }

  /** Makes a latch known, so results can refer to it; written with the first result that does. */
  addLatch(id: LatchId, latch: ToolLatch): void {
    if (!this.latchJson.has(id) && !this.newLatches.has(id)) this.newLatches.set(id, JSON.stringify(latch));
    this.latchCache.set(id, latch);
  }

  /** A snapshot another stage keeps in the manifest (written with the next save or flush). */
  blob(name: string): Buffer | undefined {
    if (this.unreadBlobs.delete(name)) {
      const data = this.readLarge(name);
      if (data !== undefined) this.blobs.set(name, data);
    }
    return this.blobs.get(name);
  }

  setBlob(name: string, data: Buffer): void {
    if (isCore(name)) throw new Error(`snapshot ${name} belongs to the manifest`);
    this.unreadBlobs.delete(name);
    this.blobs.set(name, data);
    this.changedBlobs.add(name);
  }

  history(tool: string, path: RelPath): readonly JobResult[] {
    const v = this.storedOf(tool, path);
    return v === undefined ? NO_RESULTS : listOf(v);
  }

  /** Paths below dir that some tool has results for: what is known of a directory that cannot be read now. */
  resultPathsUnder(dir: RelPath): Set<RelPath> {
    const out = new Set<RelPath>();
    for (const byPath of this.results.values()) for (const p of byPath.keys()) if (p.startsWith(dir + '/')) out.add(p);
    return out;
  }

  /** The most recent result, without building a list. */
  latest(tool: string, path: RelPath): JobResult | undefined {
    const v = this.storedOf(tool, path);
    return Array.isArray(v) ? v[0] : v;
  }

  /**
   * Whether the job's latest result passed, ran under this latch, file digest and dependencies digest, and
   * its log, if it has one, is there (isLogged, by file name); decided on the packed snapshot when the result
   * was never built (a no-op builds none).
   */
  latestHolds(
    tool: string,
    path: RelPath,
    want: { latchId: string; digest: string; depsDigest: string },
    isLogged: (logName: string) => boolean,
  ): boolean {
    const slot = this.results.get(tool)?.get(path);
    if (slot === undefined) return false;
    if (typeof slot === 'number') return this.packed!.holds(slot, want.latchId, want.digest, want.depsDigest, isLogged);
    const r = Array.isArray(slot) ? slot[0]! : slot;
    return (
      r.status === 'passed' &&
      r.latchId === want.latchId &&
      r.digest === want.digest &&
      r.depsDigest === want.depsDigest &&
      (!r.hasLog || isLogged(logFileName(r)))
    );
  }

  /**
   * The files and directories as they are now, for restoreScan: a scan updates the file table in place, which
   * records what it changes from here (FileTable.checkpoint) rather than being copied; call keepScan once the
   * scan and its save went through.
   */
  scanCheckpoint(): ScanCheckpoint {
    return { files: this.files, dirs: this.dirs, undo: this.files.checkpoint() };
  }

  /** Puts back what scanCheckpoint kept: a scan or save that failed leaves the files as they were before it. */
  restoreScan(c: ScanCheckpoint): void {
    this.unread.clear();
    this.filesBlob = null;
    this.deltaBlobs = null;
    c.files.rollback(c.undo);
    this.scannedFiles = c.files;
    this.dirsBlob = null;
    this.scannedDirs = c.dirs;
  }

  /** The scan and its save went through: what scanCheckpoint kept is let go. */
  keepScan(c: ScanCheckpoint): void {
    c.files.release(c.undo);
  }

  adoptScan(update: ScanUpdate): void {
    this.unread.clear();
    this.filesBlob = null;
    this.deltaBlobs = null;
    this.scannedFiles = update.files;
    this.dirsBlob = null;
    this.scannedDirs = update.dirs;
    this.pending = update;
  }

  /**
   * Writes the adopted scan and drops results no job can use (removed tools,
   * paths a tool does not select); results of files that are gone stay, for
   * the file may come back, until the global bounds push them out (least
   * recently used first). Returns the dropped results whose logs no kept
   * result names: the caller deletes those. `jobsKey` names what isJob
   * decides from (the tools and their file filters), when nothing else: a
   * save under the key of the last one skips that walk over every result (a
   * watch cycle's save).
   */
  save(isJob: (tool: string, path: RelPath) => boolean, jobsKey: string | null = null): JobResult[] {
    this.decodeResults(); // what replaying the journal dropped goes now
    const u = this.pending;
    this.pending = null;
    const dropped = this.droppedOnLoad;
    this.droppedOnLoad = [];
    // The same jobsKey as the last sweep: every result since was recorded for a job under it, none to drop.
    if (u !== null && (jobsKey === null || jobsKey !== this.sweptFor)) {
      for (const [tool, byPath] of this.results) {
        for (const [path, slot] of byPath) {
          if (isJob(tool, path)) continue;
          const stored = this.resolve(byPath, path, slot);
          this.forget(listOf(stored));
          dropped.push(...listOf(stored));
          byPath.delete(path);
          this.resultsDirty = true;
        }
        if (byPath.size === 0) this.results.delete(tool);
      }
      this.sweptFor = jobsKey;
    }
    if (u !== null) dropped.push(...this.evict());
    const watchChanged = u !== null && u.watchState !== undefined && u.watchState !== this.watchState;
    const scanChanged =
      u !== null &&
      (watchChanged ||
        u.changedFiles.length > 0 ||
        u.removedFiles.length > 0 ||
        u.hadRacy ||
        u.changedDirs.length > 0 ||
        u.removedDirs.length > 0 ||
        this.walkSpec !== u.walkSpec);
    if (!scanChanged && !this.resultsDirty && this.changedBlobs.size === 0) return this.unreferenced(dropped);
    const meta: [string, string][] = [];
    const snapshots: [string, Buffer][] = [];
    const deleteSnapshots: string[] = [];
    let wrote: 'whole' | 'delta' | null = null;
    if (u !== null && scanChanged) {
      meta.push([META_THRESHOLD, String(u.scanStartedMs)], [META_WALK_SPEC, u.walkSpec]);
      this.racyThresholdMs = u.scanStartedMs;
      this.walkSpec = u.walkSpec;
      if (watchChanged) meta.push([META_WATCH_STATE, u.watchState!]);
      if (u.changedFiles.length > 0 || u.removedFiles.length > 0) {
        // Only this save's changes, while the deltas are few: one edited file writes one entry, not 100,000
        // (issue 17 point 3).
        const changes = this.files.changesSinceSave();
        const d = this.deltas;
        if (
          changes === null ||
          !this.hasFilesBase ||
          d.sequence.length >= MAX_DELTAS ||
          d.entries + changes.size > foldsAt(this.files.size)
        ) {
          snapshots.push(['files', encodeFiles(this.files)]);
          for (const n of d.sequence) deleteSnapshots.push(FILES_DELTA + n);
          wrote = 'whole';
        } else if (changes.size > 0) {
          snapshots.push([FILES_DELTA + ((d.sequence.at(-1) ?? 0) + 1), encodeFileChanges(this.files, changes)]);
          wrote = 'delta';
        }
      }
      if (u.changedDirs.length > 0 || u.removedDirs.length > 0) snapshots.push(['dirs', encodeDirs(this.dirs)]);
    }
    this.writeWith(meta, snapshots, deleteSnapshots);
    if (wrote !== null) this.filesWritten(wrote);
    // Known as stored only once it is: a failed write leaves the clock the stored files hold at.
    if (watchChanged) this.meta.set(META_WATCH_STATE, u.watchState!);
    return this.unreferenced(dropped);
  }

  /** The files list is stored as it is now: written whole (the deltas gone), or this save's delta added. */
  private filesWritten(how: 'whole' | 'delta'): void {
    const d = this.deltas;
    if (how === 'whole') {
      this.hasFilesBase = true;
      d.sequence = [];
      d.entries = 0;
      d.onlySet = true;
      d.baseCount = this.files.size;
    } else {
      const changes = this.files.changesSinceSave()!;
      d.sequence.push((d.sequence.at(-1) ?? 0) + 1);
      d.entries += changes.size;
      for (const op of changes.values()) if (op !== 'set') d.onlySet = false;
    }
    this.files.markSaved();
  }

  /** Drops the least recently used results while the count or the total log size is over its bound. */
  private evict(): JobResult[] {
    const tools = Math.max(1, this.results.size);
    const bounds = {
      maxResults: RESULT_HISTORY * this.files.size * tools + EXTRA_RESULTS,
      maxLogBytes: KEPT_LOG_BYTES,
    };
    const totals = { count: this.resultCount, logBytes: this.logBytes };
    if (totals.count <= bounds.maxResults && totals.logBytes <= bounds.maxLogBytes) return [];
    const out = leastRecentlyUsed(this.resolvedResults(), totals, bounds, (p) => this.files.has(p));
    for (const r of out) {
      const byPath = this.results.get(r.tool)!;
      const rest = listOf(this.resolve(byPath, r.path, byPath.get(r.path)!)).filter((k) => k !== r);
      if (rest.length === 0) byPath.delete(r.path);
      else byPath.set(r.path, rest.length === 1 ? rest[0]! : rest);
      if (byPath.size === 0) this.results.delete(r.tool);
    }
    this.forget(out);
    if (out.length > 0) this.resultsDirty = true;
    return out;
  }

  private forget(results: readonly JobResult[]): void {
    for (const r of results) {
      this.resultCount--;
      this.logBytes -= r.logBytes;
    }
  }

  /**
   * Of dropped results, those whose log no kept result still names (a log is
   * named after its result's fingerprint and finish time). A reused result is
   * journalled again under the same names, and replaying the journal drops
   * again results dropped long ago (issue 10: their logs must not be deleted
   * under the live result, which then re-ran on every invocation).
   */
  private unreferenced(dropped: readonly JobResult[]): JobResult[] {
    if (dropped.length === 0) return [];
    return dropped.filter(
      (r) =>
        !this.history(r.tool, r.path).some((k) => k.fingerprint === r.fingerprint && k.finishedAt === r.finishedAt),
    );
  }

  /**
   * Call when a run ends: folds the journal into the results snapshot once it
   * has grown (an eighth of all results, at least 1024 rows), so one changed
   * file does not rewrite every result; loading replays a short journal.
   * `foldFiles`: the files deltas too, however few (a session's end: the next
   * no-op then checks the files snapshot as stored, scan/settled.ts).
   * Returns true when the results were folded, here or by a save, since
   * the last flush.
   */
  flush(opts: { foldFiles?: boolean } = {}): boolean {
    // The count of results decides, once the journal is long enough to fold at all (a settled no-op reads none).
    if (this.journalRows >= 1024) this.decodeResults();
    const d = this.deltas;
    const foldFiles =
      d.sequence.length >= FOLD_DELTAS_AT_FLUSH || (d.sequence.length > 0 && d.entries > foldsAt(this.files.size) / 2);
    const snapshots: [string, Buffer][] = foldFiles ? [['files', encodeFiles(this.files)]] : [];
    const deleteSnapshots = foldFiles ? d.sequence.map((n) => FILES_DELTA + n) : [];
    if (this.resultsDirty || this.journalRows >= Math.max(1024, this.resultCount / 8)) {
      this.resultsDirty = true;
      this.writeWith([], snapshots, deleteSnapshots);
    } else if (this.changedBlobs.size > 0 || foldFiles) {
      this.writeWith([], snapshots, deleteSnapshots);
    }
    if (foldFiles) this.filesWritten('whole');
    else if (opts.foldFiles === true && d.sequence.length > 0 && !this.deltasInPlace()) {
      // Folded apart, when the disk takes it: the deltas stay a valid state if it does not (a full disk).
      try {
        this.store.write({
          meta: [],
          snapshots: [['files', encodeFiles(this.files)]],
          deleteSnapshots: d.sequence.map((n) => FILES_DELTA + n),
          deleteLatches: [],
          clearJournal: false,
        });
        this.filesWritten('whole');
      } catch (err) {
        if (!(err instanceof StateWriteError)) throw err;
      }
    }
    const folded = this.folded;
    this.folded = false;
    return folded;
  }

  /**
   * Whether the deltas change only files the snapshot under them holds, as far as this session knows: then the
   * stored tree's check reads them as they are (storedFilesAndDeltas), and a run's end need not fold them.
   * Not known (the files never decoded, nothing written): yes, since this session changed nothing.
   */
  private deltasInPlace(): boolean {
    const d = this.deltas;
    if (this.deltaBlobs !== null) return true;
    return d.onlySet && d.baseCount === this.scannedFiles.size;
  }

  /** The fingerprint of every kept result: the outputs a result keeps are stored under it. */
  keptFingerprints(): Set<string> {
    const out = new Set<string>();
    for (const r of this.allResultsOldestFirst()) out.add(r.fingerprint);
    return out;
  }

  /** The log file name of every kept result that has a log. */
  keptLogNames(): Set<string> {
    const names = new Set<string>();
    for (const r of this.allResultsOldestFirst()) if (r.hasLog) names.add(logFileName(r));
    return names;
  }

  private writeWith(meta: [string, string][], snapshots: [string, Buffer][], deleteSnapshots: string[] = []): void {
    const deleteLatches: string[] = [];
    for (const name of this.changedBlobs) snapshots.push([name, this.blobs.get(name)!]);
    this.changedBlobs.clear();
    if (this.resultsDirty) {
      snapshots.push(['results', encodeResults(this.allResultsOldestFirst())]);
      const referenced = new Set<string>();
      for (const r of this.allResultsOldestFirst()) referenced.add(r.latchId);
      for (const id of this.latchJson.keys()) if (!referenced.has(id)) deleteLatches.push(id);
    }
    const folding = this.resultsDirty;
    this.store.write({
      meta,
      snapshots,
      deleteSnapshots,
      deleteLatches,
      clearJournal: folding && this.journalRows > 0,
    });
    for (const id of deleteLatches) {
      this.latchJson.delete(id);
      this.latchCache.delete(id);
    }
    if (folding) {
      this.folded = true;
      this.resultsDirty = false;
      this.journalRows = 0;
      this.resultCount = 0;
      this.logBytes = 0;
      const roots = new Set<string>();
      for (const r of this.allResultsOldestFirst()) {
        this.resultCount++;
        this.logBytes += r.logBytes;
        if (r.depsDigest !== '') roots.add(r.depsDigest);
      }
      // Graph nodes only kept results reach go with them (here, not per result: the sweep reads every node).
      this.store.sweepMerkle(roots);
      this.merkle.clear();
    }
  }

  private *allResultsOldestFirst(): Generator<JobResult> {
    for (const byPath of this.resolvedResults().values()) {
      for (const v of byPath.values()) {
        if (!Array.isArray(v)) yield v;
        else for (let i = v.length - 1; i >= 0; i--) yield v[i]!;
      }
    }
  }

  /** Every result built as an object (a fold, an eviction, a sweep read them all), the packed snapshot let go. */
  private resolvedResults(): Map<string, Map<RelPath, Stored>> {
    this.decodeResults();
    if (this.packed !== null) {
      for (const byPath of this.results.values())
        for (const [path, slot] of byPath) if (typeof slot === 'number') this.resolve(byPath, path, slot);
      this.packed = null;
    }
    return this.results as Map<string, Map<RelPath, Stored>>;
  }

  /**
   * Puts a result at the head of its job's history; returns what the bounded
   * history pushed out, and the result it replaced when that was another run
   * under the same fingerprint (its log is another file, now no one's).
   */
  private remember(result: JobResult): JobResult[] {
    const byPath = this.byPath(result.tool);
    const slot = byPath.get(result.path);
    const known = slot === undefined ? undefined : this.resolve(byPath, result.path, slot);
    const { stored, replaced, dropped } = putFirst(known, result, RESULT_HISTORY);
    byPath.set(result.path, stored);
    this.resultCount++;
    this.logBytes += result.logBytes;
    this.forget(replaced === null ? dropped : [replaced, ...dropped]);
    return replaced !== null && replaced.finishedAt !== result.finishedAt ? [replaced, ...dropped] : dropped;
  }

  /** Results recorded inside together(), journalled when it returns. */
  private unjournalled: { rows: RawResultRow[]; latches: LatchRow[]; nodes: MerkleRow[] } | null = null;

  /**
   * Runs `record`, journalling every result it records in one transaction as
   * it returns (the files one process judged: one commit, not one per file),
   * also when it throws, so what it recorded in memory is on disk too.
   */
  together<T>(record: () => T): T {
    if (this.unjournalled !== null) return record();
    const pending = (this.unjournalled = { rows: [], latches: [], nodes: [] });
    let out: T;
    try {
      out = record();
    } catch (err) {
      this.unjournalled = null;
      try {
        this.journal(pending);
      } catch {
        // the first error is the one to tell
      }
      throw err;
    }
    this.unjournalled = null;
    this.journal(pending);
    return out;
  }

  private journal(p: { rows: RawResultRow[]; latches: LatchRow[]; nodes: MerkleRow[] }): void {
    if (p.rows.length > 0) this.store.appendResults(p.rows, p.latches, p.nodes);
  }

  /**
   * Records one finished job at once (an interrupted run keeps it; inside
   * together(), as that returns). Returns
   * the results its job's bounded history dropped, oldest first, whose logs
   * the caller deletes.
   */
  recordResult(result: JobResult, nodes: readonly MerkleRow[] = []): JobResult[] {
    const dropped = this.remember(result);
    const json = this.newLatches.get(result.latchId);
    const latches: LatchRow[] = json === undefined ? [] : [[result.latchId, json]];
    const pending = this.unjournalled;
    if (pending === null) this.store.appendResults([toJournal(result)], latches, nodes);
    else {
      pending.rows.push(toJournal(result));
      pending.latches.push(...latches);
      pending.nodes.push(...nodes);
    }
    for (const n of nodes) this.merkle.set(n[0], n);
    if (json !== undefined) {
      this.newLatches.delete(result.latchId);
      this.latchJson.set(result.latchId, json);
    }
    this.journalRows++;
    return this.unreferenced(dropped);
  }

  /**
   * Moves results a plan reused (hits that were not their job's latest) to the
   * front of their histories, so the least recently used go first; journalled
   * in one transaction. A no-op, whose hits are all latest, writes nothing.
   */
  reuse(results: readonly JobResult[], now: number): void {
    if (results.length === 0) return;
    const rows = results.map((r) => {
      const used = { ...r, usedAt: now };
      this.remember(used); // the same result: it replaces itself, nothing is pushed out
      return toJournal(used);
    });
    this.store.appendResults(rows, []);
    this.journalRows += rows.length;
  }

  /** A dependency graph node kept for explain, by hash (undefined: never recorded, or swept). */
  merkleNode(hash: string): MerkleRow | undefined {
    let n = this.merkle.get(hash);
    if (n === undefined) {
      n = this.store.merkleNode(hash);
      if (n !== undefined) this.merkle.set(hash, n);
    }
    return n;
  }

  close(): void {
    this.store.close();
  }
}
