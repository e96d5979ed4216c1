// Ordered schema migrations; each runs in the transaction that bumps the version.
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  up(db: Database.Database): void;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    up(db) {
      db.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE snapshot (name TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
        CREATE TABLE latches (id TEXT PRIMARY KEY, inputs TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE result_journal (
          seq INTEGER PRIMARY KEY AUTOINCREMENT, tool TEXT NOT NULL, path TEXT NOT NULL,
          fingerprint TEXT NOT NULL, latch TEXT NOT NULL, digest TEXT NOT NULL,
          status TEXT NOT NULL, exit_code INTEGER, signal TEXT, timed_out INTEGER NOT NULL,
          duration_ms REAL NOT NULL, has_log INTEGER NOT NULL, finished_at INTEGER NOT NULL
        );
      `);
    },
  },
  {
    // Dependency inference (#4): a result records what the job depended on.
    // The results snapshot's new layout is told apart by the codec; old rows read as "no deps".
    version: 2,
    up(db) {
      db.exec(`
        ALTER TABLE result_journal ADD COLUMN deps_digest TEXT NOT NULL DEFAULT '';
        ALTER TABLE result_journal ADD COLUMN deps TEXT NOT NULL DEFAULT '';
      `);
    },
  },
  {
    // Issue 10: a result's last use and log size (the history drops the least
    // recently used), and the dependency graph's Merkle nodes that kept results
    // reach, so explain can name what changed by content.
    version: 3,
    up(db) {
      db.exec(`
        ALTER TABLE result_journal ADD COLUMN used_at REAL NOT NULL DEFAULT 0;
        ALTER TABLE result_journal ADD COLUMN log_bytes REAL NOT NULL DEFAULT 0;
        CREATE TABLE merkle_node (hash TEXT PRIMARY KEY, children TEXT NOT NULL, data TEXT NOT NULL) WITHOUT ROWID;
      `);
    },
  },
  {
    // Issue 17 point 3: a save may write the files changed since the "files" snapshot as a "files_delta"
    // snapshot beside it. No table changes; the version does, so that a runner that would read "files" alone
    // (and trust entries the delta replaced) refuses the store instead.
    version: 4,
    up() {},
  },
  {
    // Issue 17 point 1: the settled mark in meta lets a no-op skip reading and judging every result. Only
    // a runner that deletes it with each write may open the store (an older one would leave it standing over
    // results it recorded), so the version changes with no table.
    version: 5,
    up() {},
  },
];
