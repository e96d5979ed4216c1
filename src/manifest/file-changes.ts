// The file table's changes since its last save (issue 17 point 3): what a
// save writes as a small files delta snapshot instead of the whole packed
// file list. Kept as operations in the order that, replayed on the table as
// stored before, gives it in the very order a whole write would store it.
import type { RelPath } from '../types.js';

/**
 * How one path differs from the stored table, as Map operations replayed in order: `set` (in place when the base has
 * it, else appended), `moved` (deleted, then appended: removed and added again, so a whole write puts it
 * last), `removed`.
 */
export type FileChange = 'set' | 'moved' | 'removed';

/** Changes beyond this many are not worth deltas: the whole list is written (and the deltas folded into it). */
export function foldsAt(files: number): number {
  return Math.max(1024, Math.floor(files / 8));
}

export class FileChanges {
  private readonly ops = new Map<RelPath, FileChange>();
  /** More changes than a delta is worth (foldsAt): the next save writes the whole list. */
  private overflowed = false;

  constructor(private readonly limit: number) {}

  noteSet(path: RelPath): void {
    if (this.overflowed) return;
    const was = this.ops.get(path);
    if (was === 'removed') {
      // Deleted, then added again: a whole write stores it after everything added meanwhile.
      this.ops.delete(path);
      this.ops.set(path, 'moved');
    } else if (was === undefined) {
      this.ops.set(path, 'set');
      if (this.ops.size > this.limit) this.overflow();
    }
  }

  noteDelete(path: RelPath): void {
    if (this.overflowed) return;
    this.ops.set(path, 'removed'); // in place: a removal moves nothing else
    if (this.ops.size > this.limit) this.overflow();
  }

  private overflow(): void {
    this.overflowed = true;
    this.ops.clear();
  }

  /** The operations, in replay order; null when there are too many (write the whole list). */
  list(): ReadonlyMap<RelPath, FileChange> | null {
    return this.overflowed ? null : this.ops;
  }

  copy(): FileChanges {
    const c = new FileChanges(this.limit);
    for (const [p, op] of this.ops) c.ops.set(p, op);
    c.overflowed = this.overflowed;
    return c;
  }
}
