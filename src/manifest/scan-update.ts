// What a scan hands the manifest to adopt (its own file: it names the file
// table, which names the model's FileEntry).
import type { RelPath } from '../types.js';
import type { FileTable } from './file-table.js';
import type { DirListing } from './model.js';

/** What a scan changed, for the manifest to adopt. */
export interface ScanUpdate {
  files: FileTable;
  dirs: Map<RelPath, DirListing>;
  /** New or re-stat'ed entries, to be written. */
  changedFiles: RelPath[];
  removedFiles: RelPath[];
  changedDirs: RelPath[];
  removedDirs: RelPath[];
  /** Paths with a per-file problem this time: kept in the store, not tracked now. */
  keptPaths: Set<RelPath>;
  /** Directories that could not be read: what lies below is kept, not tracked now. */
  keptDirs: RelPath[];
  walkSpec: string;
  /** When a write is due, the racy threshold to record (scan start, ms since the epoch). */
  scanStartedMs: number;
  /** Whether any entry was racy, so the threshold must move even if nothing changed. */
  hadRacy: boolean;
  /**
   * The file-watching service's state to keep with this scan (api/watchman-scan.ts), written in the same
   * transaction as the files it vouches for; absent: the stored one is left as it is.
   */
  watchState?: string;
}
