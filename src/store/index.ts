// Public surface of store/ (for manifest/ only).
export { Store, storeExists, type LatchRow, type RawResultRow, type StoredState, type StateWrite } from './db.js';
export { CURRENT_SCHEMA_VERSION, RESULT_HISTORY } from './schema.js';
