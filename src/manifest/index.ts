// Public surface of manifest/: the only way to the store.
export { Manifest } from './manifest.js';
export { type LockHolder, StateLock } from '../store/index.js';
export { decodeFiles, encodeFiles } from './codec.js';
export { FileTable, type StatVerdict, eachDigest } from './file-table.js';
export type { ScanUpdate } from './scan-update.js';
export {
  NO_RECORDED_DEPS,
  type RecordedDep,
  UNKNOWN_DEPS,
  decodeDepPaths,
  decodeDeps,
  digestEntries,
  encodeDeps,
} from './recorded-deps.js';
export {
  legacyLogFileName,
  logFileName,
  type DirListing,
  type IgnoreFileStat,
  type FileEntry,
  type JobResult,
  type ResultStatus,
  type UnjudgedStop,
} from './model.js';
