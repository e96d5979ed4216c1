// Public surface of manifest/: the only way to the store.
export { Manifest } from './manifest.js';
export { decodeFiles, encodeFiles } from './codec.js';
export { logFileName, type DirListing, type FileEntry, type JobResult, type ResultStatus, type ScanUpdate } from './model.js';
