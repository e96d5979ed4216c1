// Schema version 2 of <stateDir>/manifest.db (2 added what each result depended on).
//
// Tables and what they serve:
//   schema_version  one row; checked at open (newer: refuse; older: migrate).
//   meta            key/value: the racy threshold and the walk spec of the last scan.
//   snapshot        PRIMARY KEY name: the manifest's tables ("files", "dirs", "results")
//                   as packed blobs (manifest/codec.ts), read whole at start and
//                   rewritten in one transaction when they changed. Rows per file
//                   would cost a microsecond or two each to read: too slow for a
//                   no-op over 100,000 files.
//   latches         PRIMARY KEY id: the inputs behind a latch id, for `runner explain`.
//   result_journal  seq order: job results recorded as each job finishes, so an
//                   interrupted run keeps them; folded into the "results" snapshot
//                   (and emptied) when a run ends, or at the next load after a crash.
export const CURRENT_SCHEMA_VERSION = 2;

/** A database that claims the current version must hold these. */
export const EXPECTED_TABLES = ['schema_version', 'meta', 'snapshot', 'latches', 'result_journal'];

/** How many results are kept per job, so undoing a change re-runs nothing. */
export const RESULT_HISTORY = 4;
