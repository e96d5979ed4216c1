// Public surface of manifest/: the only way to the store.
export { Manifest } from './manifest.js';
export { type LockHolder, LOCK_FILE, LOCK_OWNER_FILE, StateLock, TURNSTILE_FILE } from '../store/index.js';
export { decodeFiles, encodeFiles } from './codec.js';
export { legacyLogFileName, logFileName, type DirListing, type FileEntry, type JobResult, type ResultStatus, type ScanUpdate } from './model.js';
