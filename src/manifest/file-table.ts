// The tracked files, as the files snapshot holds them: a path maps to its row
// in the packed snapshot until the scan finds the file changed (issue 17 point
// 1). A no-op compares each file's packed stat in place (visitStat) and keeps
// no entry object; one read through get() or iteration is built for the asker
// and not kept. Only scan/ changes the table (visitStat, set, delete).
import type { Digest, RelPath } from '../types.js';
import { type FileChange, FileChanges, foldsAt } from './file-changes.js';
import type { FileEntry } from './model.js';
import { unpack } from './packed-layout.js';

/** Width of every digest (hash.ts). */
const HEX = 32;
/** Files layouts, by numbers per entry: 4 (schema 1), 5 (schema 2: when the content changed). */
export const FILES_V1 = 4;
export const FILES_V2 = 5;

/** What visitStat found of a file against its entry. */
export type StatVerdict =
  /** Same stat, not racy: the stored digest holds, and the entry is marked seen by this scan. */
  | 'unchanged'
  /** Same stat, but written too close to the last scan to tell: its content must be read. */
  | 'racy'
  /** Another stat: its content must be read. */
  | 'changed'
  | 'new'
  /** This scan already saw it (a whitelist naming it twice). */
  | 'seen-twice';

/**
 * What a watch cycle's scan may have to undo (checkpoint): each changed path's slot before its first change,
 * and, once a path that was there is deleted (its re-adding would move it), a copy of the whole map.
 */
export interface TableCheckpoint {
  readonly prior: Map<RelPath, number | FileEntry | undefined>;
  slots: Map<RelPath, number | FileEntry> | null;
  readonly changes: FileChanges;
}

/** One file's row as stored: its path, numbers and digest (FileTable.forEachStored). */
export type StoredRow = (
  path: RelPath,
  size: number,
  mtimeMs: number,
  ctimeMs: number,
  ino: number,
  changedAt: number,
  digest: string,
) => void;

export class FileTable implements ReadonlyMap<RelPath, FileEntry> {
  /** A row of the packed snapshot, or an entry a scan wrote (new, or changed since the snapshot). */
  private slots: Map<RelPath, number | FileEntry>;
  /** Changes since the last save (file-changes.ts): a save writes only these while they are few. */
  private changes: FileChanges;
  private undo: TableCheckpoint | null = null;

  private constructor(
    slots: Map<RelPath, number | FileEntry>,
    private readonly numbers: Float64Array,
    private readonly width: number,
    private readonly hex: string,
    /** Which scan last saw each packed row (FileEntry.seen, for rows that are no object). */
    private readonly seenRows: Float64Array,
    /** Each packed row's path: the very strings the map is keyed by (see rowNamed). */
    private readonly rowPaths: readonly RelPath[] = [],
  ) {
    this.slots = slots;
    this.changes = new FileChanges(foldsAt(slots.size));
  }

  static empty(): FileTable {
    return new FileTable(new Map(), new Float64Array(0), FILES_V2, '', new Float64Array(0));
  }

  /** A table of these entries (a tree never scanned, a test's prior state). */
  static of(entries: Iterable<readonly [RelPath, FileEntry]>): FileTable {
    const t = FileTable.empty();
    for (const [path, entry] of entries) t.set(path, { ...entry });
    return t;
  }

  /** Reads a files snapshot: one path string and one map slot per file, no entry object. */
  static decode(buf: Buffer): FileTable {
    const { count, numbersPer: width, numbers, text, digests } = unpack(buf, [FILES_V1, FILES_V2]);
    // Kept as hex: the plan reads each file's digest as a string.
    const hex = digests.toString('hex');
    const slots = new Map<RelPath, number | FileEntry>();
    if (count === 0) return new FileTable(slots, numbers, width, '', new Float64Array(0));
    const rowPaths = new Array<RelPath>(count);
    let from = 0;
    for (let i = 0; i < count; i++) {
      let end = text.indexOf('\0', from);
      if (end < 0) end = text.length;
      const path = text.slice(from, end) as RelPath;
      rowPaths[i] = path;
      slots.set(path, i);
      from = end + 1;
    }
    return new FileTable(slots, numbers, width, hex, new Float64Array(count), rowPaths);
  }

  /** Another table over the same rows, for a checkpoint: set and delete on one leave the other as it was. */
  copy(): FileTable {
    return new FileTable(new Map(this.slots), this.numbers, this.width, this.hex, this.seenRows, this.rowPaths);
  }

  /** The changes since the last save, in replay order; null when the whole list must be written. */
  changesSinceSave(): ReadonlyMap<RelPath, FileChange> | null {
    return this.changes.list();
  }

  /** The table as it is now is stored (whole, or as a delta): changes count from here. */
  markSaved(): void {
    this.changes = new FileChanges(foldsAt(this.slots.size));
  }

  /** Replays a stored delta (one save's changes) on the table as the saves before it left it. */
  applyChanges(changes: Iterable<readonly [RelPath, FileChange, FileEntry | null]>): void {
    for (const [path, op, entry] of changes) {
      if (op !== 'set') this.delete(path);
      if (op !== 'removed') this.set(path, entry!);
    }
  }

  /**
   * Starts recording what set and delete change, so rollback can undo it (a watch cycle whose scan or save
   * fails) without a copy of the map: a cycle that edits a file records one slot.
   */
  checkpoint(): TableCheckpoint {
    this.undo = { prior: new Map(), slots: null, changes: this.changes.copy() };
    return this.undo;
  }

  /** Puts back what changed since the checkpoint, in the same order. */
  rollback(c: TableCheckpoint): void {
    if (c.slots !== null) this.slots = c.slots;
    else {
      for (const [path, slot] of c.prior) {
        if (slot === undefined)
          this.slots.delete(path); // added since: the last ones, so nothing else moves
        else this.slots.set(path, slot); // in place: no path that was there was deleted (else c.slots)
      }
    }
    this.changes = c.changes;
    if (this.undo === c) this.undo = null;
  }

  /** Stops recording for rollback: the scan and its save went through. */
  release(c: TableCheckpoint): void {
    if (this.undo === c) this.undo = null;
  }

  private remember(path: RelPath, deleting: boolean): void {
    const u = this.undo;
    if (u === null) return;
    if (deleting && u.slots === null) {
      // The map as it was at the checkpoint: now, less what changed since (in place or appended, so far).
      const then = new Map(this.slots);
      for (const [p, slot] of u.prior) {
        if (slot === undefined) then.delete(p);
        else then.set(p, slot);
      }
      u.slots = then;
    }
    if (!u.prior.has(path)) u.prior.set(path, this.slots.get(path));
  }

  get size(): number {
    return this.slots.size;
  }

  has(path: RelPath): boolean {
    return this.slots.has(path);
  }

  private entryOf(slot: number | FileEntry): FileEntry {
    if (typeof slot !== 'number') return slot;
    const j = slot * this.width;
    const n = this.numbers;
    return {
      size: n[j]!,
      mtimeMs: n[j + 1]!,
      ctimeMs: n[j + 2]!,
      ino: n[j + 3]!,
      digest: this.hex.slice(slot * HEX, slot * HEX + HEX) as Digest,
      changedAt: this.width === FILES_V2 ? n[j + 4]! : 0,
      seen: this.seenRows[slot]!,
    };
  }

  /** The file's entry; for a packed row, a copy built now (its `seen` is changed through visitStat only). */
  get(path: RelPath): FileEntry | undefined {
    const slot = this.slots.get(path);
    return slot === undefined ? undefined : this.entryOf(slot);
  }

  /** The file's digest, without building its entry. */
  digestOf(path: RelPath): Digest | undefined {
    const slot = this.slots.get(path);
    if (slot === undefined) return undefined;
    return typeof slot === 'number' ? (this.hex.slice(slot * HEX, slot * HEX + HEX) as Digest) : slot.digest;
  }

  /**
   * The packed row whose path is `path`, trying row `near` first (compared in place: no lookup by path);
   * -1 when no packed row is still that file's. A map keyed by rowPath(row) then finds this table's path
   * strings by identity, without comparing their characters.
   */
  rowNamed(path: string, near: number): number {
    if (near < this.rowPaths.length && this.rowPaths[near] === path) return near;
    const slot = this.slots.get(path as RelPath);
    return typeof slot === 'number' ? slot : -1;
  }

  /** A packed row's path, as the table holds it. */
  rowPath(row: number): RelPath {
    return this.rowPaths[row]!;
  }

  /** Calls fn with each file's path and digest, in the table's order, each digest read in its row (no lookup). */
  forEachDigest(fn: (path: RelPath, digest: Digest) => void): void {
    const hex = this.hex;
    this.slots.forEach((slot, path) =>
      fn(path, typeof slot === 'number' ? (hex.slice(slot * HEX, slot * HEX + HEX) as Digest) : slot.digest),
    );
  }

  /** Whether the file's digest is this one, read in place. */
  hasDigest(path: RelPath, digest: string): boolean {
    const slot = this.slots.get(path);
    if (slot === undefined) return false;
    if (typeof slot !== 'number') return slot.digest === digest;
    return digest.length === HEX && this.hex.startsWith(digest, slot * HEX);
  }

  set(path: RelPath, entry: FileEntry): this {
    this.remember(path, false);
    this.slots.set(path, entry);
    this.changes.noteSet(path);
    return this;
  }

  delete(path: RelPath): boolean {
    if (!this.slots.has(path)) return false;
    this.remember(path, true);
    this.slots.delete(path);
    this.changes.noteDelete(path);
    return true;
  }

  /**
   * Compares a file's stat now with its entry, in place, and marks it seen by scan `seen` when it is
   * unchanged and older than `racyLimit` (git's racy rule: a stat that new may hide a change).
   */
  visitStat(
    path: RelPath,
    size: number,
    mtimeMs: number,
    ctimeMs: number,
    ino: number,
    seen: number,
    racyLimit: number,
  ): StatVerdict {
    const slot = this.slots.get(path);
    if (slot === undefined) return 'new';
    let same: boolean;
    if (typeof slot === 'number') {
      if (this.seenRows[slot] === seen) return 'seen-twice';
      const j = slot * this.width;
      const n = this.numbers;
      same = n[j] === size && n[j + 1] === mtimeMs && n[j + 2] === ctimeMs && n[j + 3] === ino;
    } else {
      if (slot.seen === seen) return 'seen-twice';
      same = slot.size === size && slot.mtimeMs === mtimeMs && slot.ctimeMs === ctimeMs && slot.ino === ino;
    }
    if (!same) return 'changed';
    if (mtimeMs >= racyLimit || ctimeMs >= racyLimit) return 'racy';
    if (typeof slot === 'number') this.seenRows[slot] = seen;
    else slot.seen = seen;
    return 'unchanged';
  }

  /** Whether scan `seen` saw the file (visitStat said unchanged, or the scan set its entry). */
  wasSeen(path: RelPath, seen: number): boolean {
    const slot = this.slots.get(path);
    if (slot === undefined) return false;
    return typeof slot === 'number' ? this.seenRows[slot] === seen : slot.seen === seen;
  }

  keys(): MapIterator<RelPath> {
    return this.slots.keys();
  }

  *entries(): MapIterator<[RelPath, FileEntry]> {
    for (const [path, slot] of this.slots) yield [path, this.entryOf(slot)];
  }

  *values(): MapIterator<FileEntry> {
    for (const slot of this.slots.values()) yield this.entryOf(slot);
  }

  [Symbol.iterator](): MapIterator<[RelPath, FileEntry]> {
    return this.entries();
  }

  forEach(fn: (value: FileEntry, key: RelPath, map: ReadonlyMap<RelPath, FileEntry>) => void): void {
    for (const [path, slot] of this.slots) fn(this.entryOf(slot), path, this);
  }

  /** Each file's stored numbers and digest, without building its entry (encodeFiles over 100,000 files). */
  forEachStored(fn: StoredRow): void {
    const n = this.numbers;
    const w = this.width;
    for (const [path, slot] of this.slots) {
      if (typeof slot !== 'number')
        fn(path, slot.size, slot.mtimeMs, slot.ctimeMs, slot.ino, slot.changedAt, slot.digest);
      else {
        const j = slot * w;
        fn(
          path,
          n[j]!,
          n[j + 1]!,
          n[j + 2]!,
          n[j + 3]!,
          w === FILES_V2 ? n[j + 4]! : 0,
          this.hex.slice(slot * HEX, slot * HEX + HEX),
        );
      }
    }
  }

  /** Paths of every file not seen by scan `seen`. */
  unseen(seen: number): RelPath[] {
    const out: RelPath[] = [];
    for (const [path, slot] of this.slots)
      if ((typeof slot === 'number' ? this.seenRows[slot] : slot.seen) !== seen) out.push(path);
    return out;
  }
}

/**
 * Calls fn with each file's path and digest in the map's order: read in place when `files` is the manifest's
 * table (FileTable.forEachDigest, no entry built), else from its entries.
 */
export function eachDigest(files: ReadonlyMap<RelPath, FileEntry>, fn: (path: RelPath, digest: Digest) => void): void {
  if (files instanceof FileTable) files.forEachDigest(fn);
  else for (const [p, e] of files) fn(p, e.digest);
}
