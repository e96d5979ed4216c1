// Schema version 1 of <stateDir>/manifest.db.
//
// Tables and the queries they serve:
//   schema_version  one row; checked at open (newer: refuse; older: migrate).
//   meta            key/value: the racy threshold and the walk spec of the last scan.
//   files           PRIMARY KEY path: the whole table is read at start, rows upserted after a scan.
//                   mtime_ms/ctime_ms are Node's double milliseconds (sub-microsecond
//                   precision, finer than the kernel's coarse file clock).
//   dirs            PRIMARY KEY path: the stored listing of each walked directory.
//   latches         PRIMARY KEY id: the inputs behind a latch id, for `runner explain`.
//   results         PRIMARY KEY seq (insertion order = age); UNIQUE fingerprint for
//                   "INSERT OR REPLACE" of a rerun; index results_job (tool, path)
//                   serves trimming one job's history. log is a file name in <stateDir>/logs.
export const CURRENT_SCHEMA_VERSION = 1;

/** How many results are kept per job, so undoing a change re-runs nothing. */
export const RESULT_HISTORY = 4;
