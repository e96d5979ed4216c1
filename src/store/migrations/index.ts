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
        CREATE TABLE files (
          path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ms REAL NOT NULL,
          ctime_ms REAL NOT NULL, ino INTEGER NOT NULL, digest TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE dirs (
          path TEXT PRIMARY KEY, mtime_ms REAL NOT NULL, ctime_ms REAL NOT NULL,
          ino INTEGER NOT NULL, files TEXT NOT NULL, subdirs TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE latches (id TEXT PRIMARY KEY, inputs TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE results (
          seq INTEGER PRIMARY KEY AUTOINCREMENT, tool TEXT NOT NULL, path TEXT NOT NULL,
          fingerprint TEXT NOT NULL UNIQUE, latch TEXT NOT NULL, digest TEXT NOT NULL,
          status TEXT NOT NULL, exit_code INTEGER, signal TEXT, timed_out INTEGER NOT NULL,
          duration_ms REAL NOT NULL, log TEXT NOT NULL, finished_at INTEGER NOT NULL
        );
        CREATE INDEX results_job ON results (tool, path);
      `);
    },
  },
];
