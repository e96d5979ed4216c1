// Schema version 5 of <stateDir>/manifest.db (2 added what each result depended
// on; 3 each result's last use and log size, and the dependency Merkle nodes;
// 4 the files_delta snapshot, which a runner that reads only "files" must not ignore;
// 5 the settled mark, which a runner that does not delete it with every write must not see).
//
// Tables and what they serve:
//   schema_version  one row; checked at open (newer: refuse; older: migrate).
//   meta            key/value: the racy threshold and the walk spec of the last scan;
//                   "settled" (SETTLED_KEY), what a run that needed no job proved
//                   (api/settled-run.ts), deleted by every other write (store/db.ts).
//   snapshot        PRIMARY KEY name: the manifest's tables ("files", "dirs", "results")
//                   as packed blobs (manifest/codec.ts), read whole at start and
//                   rewritten in one transaction when they changed; "files_delta",
//                   when present, holds the files changed since "files" was written
//                   whole, replayed on it at load (one edit rewrites one entry, not
//                   the whole list; folded into "files" once it grows). Rows per file
//                   would cost a microsecond or two each to read: too slow for a
//                   no-op over 100,000 files.
//   latches         PRIMARY KEY id: the inputs behind a latch id, for `runner explain`.
//   result_journal  seq order: job results recorded as each job finishes, so an
//                   interrupted run keeps them; folded into the "results" snapshot
//                   (and emptied) when a run ends, or at the next load after a crash.
//                   A reused result is journalled again with its new last use.
//   merkle_node     PRIMARY KEY hash: one node of a job's dependency graph (a strongly
//                   connected component: its files and their identities, and its
//                   children's hashes), content-addressed, written with the results
//                   that reach it; explain looks nodes up by hash to diff two graphs.
//                   children serves the sweep of nodes no kept result reaches.
export const CURRENT_SCHEMA_VERSION = 5;

/** The meta row of the settled mark (see meta above). */
export const SETTLED_KEY = 'settled';

/** A database that claims the current version must hold these. */
export const EXPECTED_TABLES = ['schema_version', 'meta', 'snapshot', 'latches', 'result_journal', 'merkle_node'];

/** How many results are kept per job (least recently used out first), so undoing a change re-runs nothing. */
export const RESULT_HISTORY = 4;
/**
 * Results kept beyond RESULT_HISTORY per tracked file and tool: those of
 * files that are gone (they may come back, with a branch switch or a stash).
 */
export const EXTRA_RESULTS = 10_000;
/** Total size of the logs kept; over it, the least recently used results go first (never a current job's latest). */
export const KEPT_LOG_BYTES = 1024 * 1024 * 1024;
