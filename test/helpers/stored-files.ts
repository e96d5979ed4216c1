// Gives a manifest a tracked file per path, as a walk that found them would,
// and saves it: what the manifest unit tests build their results on.
import { FileTable, type Manifest, type ScanUpdate } from '../../src/manifest/index.js';
import type { Digest, RelPath } from '../../src/types.js';

export function saveFiles(m: Manifest, paths: readonly RelPath[], digestOf: (i: number) => Digest): void {
  const files = FileTable.of(
    paths.map((p, i) => [p, { size: i, mtimeMs: 1, ctimeMs: 1, ino: i, digest: digestOf(i), changedAt: 1, seen: 0 }]),
  );
  const update: ScanUpdate = {
    files,
    dirs: new Map(),
    changedFiles: [...paths],
    removedFiles: [],
    changedDirs: [],
    removedDirs: [],
    keptPaths: new Set(),
    keptDirs: [],
    walkSpec: 'spec',
    scanStartedMs: 1,
    hadRacy: false,
  };
  m.adoptScan(update);
  m.save(() => true);
}
