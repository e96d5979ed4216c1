// Public surface of store/ (for manifest/ only).
export {
  Store,
  storeExists,
  type LatchRow,
  type RawResultRow,
  type StoredState,
  type StateWrite,
  type MerkleRow,
  type LargeSnapshot,
} from './db.js';
export { type LockHolder, StateLock } from './state-lock.js';
export { CURRENT_SCHEMA_VERSION, EXTRA_RESULTS, KEPT_LOG_BYTES, RESULT_HISTORY, SETTLED_KEY } from './schema.js';
