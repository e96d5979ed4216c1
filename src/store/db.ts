// Owns the sqlite connection (the only importer of better-sqlite3); only
// manifest/ may import this. Refuses, never rebuilds over, a database it
// cannot read or that a newer runner wrote.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.js';
import { MIGRATIONS } from './migrations/index.js';
import { CURRENT_SCHEMA_VERSION } from './schema.js';

export type FileRow = [path: string, size: number, mtimeMs: number, ctimeMs: number, ino: number, digest: string];
export type DirRow = [path: string, mtimeMs: number, ctimeMs: number, ino: number, files: string, subdirs: string];
export type LatchRow = [id: string, inputs: string];
/** Column order of RESULT_COLUMNS. */
export type RawResultRow = [
  tool: string, path: string, fingerprint: string, latch: string, digest: string, status: string,
  exitCode: number | null, signal: string | null, timedOut: number, durationMs: number, log: string, finishedAt: number,
];
export interface ResultRow {
  tool: string;
  path: string;
  fingerprint: string;
  latch: string;
  digest: string;
  status: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  log: string;
  finishedAt: number;
}

/** Called once per row while the store is read, so no table is held twice in memory. */
export interface StateVisitor {
  meta(key: string, value: string): void;
  file(row: FileRow): void;
  dir(row: DirRow): void;
  latch(row: LatchRow): void;
  /** Oldest first. */
  result(row: RawResultRow): void;
}

export interface StateWrite {
  meta: [string, string][];
  upsertFiles: FileRow[];
  deleteFiles: string[];
  upsertDirs: DirRow[];
  deleteDirs: string[];
  insertLatches: LatchRow[];
  deleteLatches: string[];
  deleteResults: string[];
}

type SqliteError = Error & { code?: string };

function isCorruption(err: unknown): boolean {
  const code = (err as SqliteError).code ?? '';
  return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT');
}

export class Store {
  private constructor(private readonly db: Database.Database, readonly path: string) {}

  /** Opens (creating when absent) and migrates; throws StoreError for anything it will not touch. */
  static open(file: string): Store {
    let db: Database.Database;
    try {
      db = new Database(file);
    } catch (err) {
      throw new StoreError({ path: file, problem: 'cannot-open', detail: `cannot open (${(err as Error).message})` }, { cause: err });
    }
    try {
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      Store.migrate(db, file);
    } catch (err) {
      db.close();
      if (err instanceof StoreError) throw err;
      if (isCorruption(err)) {
        throw new StoreError({ path: file, problem: 'corrupt', detail: `is corrupt or not a database (${(err as Error).message})` }, { cause: err });
      }
      if ((err as SqliteError).code === 'SQLITE_BUSY') {
        throw new StoreError({ path: file, problem: 'busy', detail: 'is locked' }, { cause: err });
      }
      throw err;
    }
    return new Store(db, file);
  }

  private static migrate(db: Database.Database, file: string): void {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    let version = 0;
    if (tables.includes('schema_version')) {
      const row = db.prepare('SELECT version FROM schema_version').pluck().get();
      if (typeof row !== 'number') {
        throw new StoreError({ path: file, problem: 'corrupt', detail: 'has no schema version row' });
      }
      version = row;
    } else if (tables.length > 0) {
      throw new StoreError({ path: file, problem: 'corrupt', detail: `is not a runner database (it holds tables ${tables.join(', ')})` });
    }
    if (version > CURRENT_SCHEMA_VERSION) {
      throw new StoreError({
        path: file, problem: 'newer-version',
        detail: `was written by a newer runner (schema version ${version}; this runner reads up to ${CURRENT_SCHEMA_VERSION})`,
      });
    }
    if (version === CURRENT_SCHEMA_VERSION) return;
    db.transaction(() => {
      if (version === 0) db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
      for (const m of MIGRATIONS) if (m.version > version) m.up(db);
      db.prepare('DELETE FROM schema_version').run();
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(CURRENT_SCHEMA_VERSION);
    }).immediate();
  }

  /** Everything, in one read transaction, row by row. */
  read(visit: StateVisitor): void {
    this.guard(() => this.db.transaction(() => {
      for (const [k, v] of this.db.prepare('SELECT key, value FROM meta').raw().iterate() as IterableIterator<[string, string]>) visit.meta(k, v);
      for (const row of this.db.prepare('SELECT path, size, mtime_ms, ctime_ms, ino, digest FROM files').raw().iterate()) visit.file(row as FileRow);
      for (const row of this.db.prepare('SELECT path, mtime_ms, ctime_ms, ino, files, subdirs FROM dirs').raw().iterate()) visit.dir(row as DirRow);
      for (const row of this.db.prepare('SELECT id, inputs FROM latches').raw().iterate()) visit.latch(row as LatchRow);
      const results = this.db.prepare(
        'SELECT tool, path, fingerprint, latch, digest, status, exit_code, signal, timed_out, duration_ms, log, finished_at FROM results ORDER BY seq',
      ).raw();
      for (const row of results.iterate()) visit.result(row as RawResultRow);
    })());
  }

  /** A scan's changes, in one transaction. */
  write(w: StateWrite): void {
    this.guard(() => this.db.transaction(() => {
      const setMeta = this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
      for (const [k, v] of w.meta) setMeta.run(k, v);
      const upFile = this.db.prepare('INSERT OR REPLACE INTO files (path, size, mtime_ms, ctime_ms, ino, digest) VALUES (?, ?, ?, ?, ?, ?)');
      for (const f of w.upsertFiles) upFile.run(...f);
      const delFile = this.db.prepare('DELETE FROM files WHERE path = ?');
      for (const p of w.deleteFiles) delFile.run(p);
      const upDir = this.db.prepare('INSERT OR REPLACE INTO dirs (path, mtime_ms, ctime_ms, ino, files, subdirs) VALUES (?, ?, ?, ?, ?, ?)');
      for (const d of w.upsertDirs) upDir.run(...d);
      const delDir = this.db.prepare('DELETE FROM dirs WHERE path = ?');
      for (const p of w.deleteDirs) delDir.run(p);
      const addLatch = this.db.prepare('INSERT OR IGNORE INTO latches (id, inputs) VALUES (?, ?)');
      for (const l of w.insertLatches) addLatch.run(...l);
      const delLatch = this.db.prepare('DELETE FROM latches WHERE id = ?');
      for (const id of w.deleteLatches) delLatch.run(id);
      const delResult = this.db.prepare('DELETE FROM results WHERE fingerprint = ?');
      for (const fp of w.deleteResults) delResult.run(fp);
    }).immediate());
  }

  /** One finished job, committed at once so an interrupted run keeps it; drops the history it displaces. */
  recordResult(r: ResultRow, latch: LatchRow | null, dropFingerprints: string[]): void {
    this.guard(() => this.db.transaction(() => {
      if (latch !== null) this.db.prepare('INSERT OR IGNORE INTO latches (id, inputs) VALUES (?, ?)').run(...latch);
      this.db.prepare(
        `INSERT OR REPLACE INTO results (tool, path, fingerprint, latch, digest, status, exit_code, signal, timed_out, duration_ms, log, finished_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(r.tool, r.path, r.fingerprint, r.latch, r.digest, r.status, r.exitCode, r.signal, r.timedOut ? 1 : 0, r.durationMs, r.log, r.finishedAt);
      const del = this.db.prepare('DELETE FROM results WHERE fingerprint = ?');
      for (const fp of dropFingerprints) del.run(fp);
    }).immediate());
  }

  close(): void {
    this.db.close();
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      const code = (err as SqliteError).code;
      if (code === 'SQLITE_BUSY') throw new StoreError({ path: this.path, problem: 'busy', detail: 'is locked' }, { cause: err });
      if (isCorruption(err)) throw new StoreError({ path: this.path, problem: 'corrupt', detail: `is corrupt (${(err as Error).message})` }, { cause: err });
      throw err;
    }
  }
}

/** True when the state directory holds a database file (used by `runner clean` messages). */
export function storeExists(file: string): boolean {
  return fs.existsSync(file);
}
