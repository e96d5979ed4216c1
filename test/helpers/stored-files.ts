// Gives a manifest a tracked file per path, as a walk that found them would,
// and saves it: what the manifest unit tests build their results on; and the
// update a scan hands over, for tests that change the table themselves.
import { FileTable, type Manifest, type ScanUpdate } from '../../src/manifest/index.js';
import type { Digest, RelPath } from '../../src/types.js';

/** A scan's update of `files` (and `dirs`): changed and removed paths named, no directory changed. */
export function scanUpdate(
  files: ScanUpdate['files'],
  dirs: ScanUpdate['dirs'],
  changed: readonly RelPath[],
  removed: readonly RelPath[],
): ScanUpdate {
  return {
    files,
    dirs,
    changedFiles: [...changed],
    removedFiles: [...removed],
    changedDirs: [],
    removedDirs: [],
    keptPaths: new Set(),
    keptDirs: [],
    walkSpec: 'spec',
    scanStartedMs: 1,
    hadRacy: false,
  };
}

export function saveFiles(m: Manifest, paths: readonly RelPath[], digestOf: (i: number) => Digest): void {
  const files = FileTable.of(
    paths.map((p, i) => [p, { size: i, mtimeMs: 1, ctimeMs: 1, ino: i, digest: digestOf(i), changedAt: 1, seen: 0 }]),
  );
  m.adoptScan(scanUpdate(files, new Map(), paths, []));
  m.save(() => true);
}
