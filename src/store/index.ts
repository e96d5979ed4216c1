// Public surface of store/ (for manifest/ only).
export { Store, storeExists, type FileRow, type DirRow, type LatchRow, type ResultRow, type RawResultRow, type StateVisitor, type StateWrite } from './db.js';
export { CURRENT_SCHEMA_VERSION, RESULT_HISTORY } from './schema.js';
