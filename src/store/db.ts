// Owns the sqlite connection (the only importer of better-sqlite3); only
// manifest/ may import this. Refuses, never rebuilds over, a database it
// cannot read or that a newer runner wrote. A disk that is full or a state
// that is read-only is no corruption: it is named as what it is (StateWriteError).
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { openSqlite } from './sqlite.js';
import { StateWriteError, StoreError } from '../errors.js';
import { deviceOf, writeFault } from '../io-fault.js';
import { MIGRATIONS } from './migrations/index.js';
import { CURRENT_SCHEMA_VERSION, EXPECTED_TABLES, SETTLED_KEY } from './schema.js';

export type LatchRow = [id: string, inputs: string];
/** Column order of the result_journal select. */
export type RawResultRow = [
  tool: string,
  path: string,
  fingerprint: string,
  latch: string,
  digest: string,
  status: string,
  exitCode: number | null,
  signal: string | null,
  timedOut: number,
  durationMs: number,
  hasLog: number,
  finishedAt: number,
  depsDigest: string,
  deps: string,
  usedAt: number,
  logBytes: number,
];
/** One dependency graph node: its hash, its children's hashes ('\n'-joined), and what it holds. */
export type MerkleRow = [hash: string, children: string, data: string];
/**
 * The snapshots read only when first used: a settled no-op that asks watchman reads none of them, one that
 * stats reads no results (api/settled-run.ts).
 */
export const LARGE_SNAPSHOTS = ['files', 'dirs', 'results'] as const;
export type LargeSnapshot = (typeof LARGE_SNAPSHOTS)[number];
const LARGE_LIST = LARGE_SNAPSHOTS.map((n) => `'${n}'`).join(', ');

const JOURNAL_COLUMNS =
  'tool, path, fingerprint, latch, digest, status, exit_code, signal, timed_out, duration_ms, has_log, finished_at, deps_digest, deps, used_at, log_bytes';

export interface StoredState {
  meta: Map<string, string>;
  /** Every snapshot but the large ones (LARGE_SNAPSHOTS) and those left for later (read's `later`). */
  snapshots: Map<string, Buffer>;
  /** Which of the large snapshots the store holds. */
  large: Set<string>;
  /** The snapshots read's `later` chose, not read: Store.snapshot reads each when first needed. */
  later: Set<string>;
  latches: LatchRow[];
  /** Results recorded since the last snapshot, oldest first. */
  journal: RawResultRow[];
}

export interface StateWrite {
  meta: [string, string][];
  snapshots: [string, Buffer][];
  /** Snapshots to remove (a delta folded into the snapshot written whole here). */
  deleteSnapshots?: string[];
  deleteLatches: string[];
  /** The results snapshot written here includes everything journalled: empty the journal. */
  clearJournal: boolean;
}

type SqliteError = Error & { code?: string };

function isCorruption(err: unknown): boolean {
  const code = (err as SqliteError).code ?? '';
  return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT');
}

/** The database and the files sqlite keeps beside it in WAL mode. */
function stateFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`];
}

/**
 * What the operating system refused, when a sqlite error is one of writing
 * (SQLITE_FULL, _READONLY, _CANTOPEN, _IOERR, _PERM; sqlite keeps no errno
 * that better-sqlite3 hands over, so the files are looked at); null for any
 * other error, or a _CANTOPEN nothing explains.
 */
export function stateWriteError(file: string, err: unknown): StateWriteError | null {
  const code = (err as SqliteError).code ?? '';
  if (!/^SQLITE_(FULL|READONLY|CANTOPEN|IOERR|PERM)/.test(code)) return null;
  const found = writeFault(path.dirname(file), stateFiles(file), { space: true });
  if (found !== null) {
    // Space is the device's, not a file's: name the file runner was writing.
    const where = found.fault.kind === 'no-space' || found.fault.kind === 'quota' ? file : found.path;
    return new StateWriteError({ path: where, fault: found.fault }, { cause: err });
  }
  // Space freed since sqlite failed: it still was a full disk.
  if (code === 'SQLITE_FULL')
    return new StateWriteError({ path: file, fault: { kind: 'no-space', device: deviceOf(file) } }, { cause: err });
  if (code.startsWith('SQLITE_CANTOPEN')) return null;
  return new StateWriteError(
    { path: file, fault: { kind: 'other', detail: `${code}: ${(err as Error).message}` } },
    { cause: err },
  );
}

/**
 * Gives the -wal and -shm files back their owner's write bit when runner owns
 * them and the database itself is writable: left behind read-only (a state
 * made read-only once, then writable again by its database only), they fail
 * every write. Only the mode changes, so what the -wal holds (results not
 * yet folded into the database) stays, and a connection holding them open is
 * unaffected. Returns the files restored.
 */
function restoreSidecars(file: string): string[] {
  if (writeFault(path.dirname(file), [file], { space: false }) !== null) return [];
  const restored: string[] = [];
  for (const side of stateFiles(file).slice(1)) {
    const st = fs.lstatSync(side, { throwIfNoEntry: false });
    if (st === undefined || !st.isFile() || st.uid !== process.geteuid?.() || (st.mode & 0o200) !== 0) continue;
    try {
      fs.chmodSync(side, (st.mode & 0o7777) | 0o200);
      restored.push(side);
    } catch {
      // Left as it is: the check that follows names what stops runner from writing it.
    }
  }
  return restored;
}

export class Store {
  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    /** -wal/-shm files found read-only and made writable again (restoreSidecars). */
    readonly restored: readonly string[],
  ) {}

  /**
   * The settled mark (api/settled-run.ts): a run's proof that the state it left needs no job, valid only while
   * nothing else is written. Every write below deletes it in its own transaction; settle() alone writes it.
   */
  private unsettleStatement: Database.Statement | null = null;
  /** This connection wrote something since it was opened. */
  wrote = false;

  private unsettle(): void {
    this.wrote = true;
    (this.unsettleStatement ??= this.db.prepare('DELETE FROM meta WHERE key = ?')).run(SETTLED_KEY);
  }

  /** Stores the settled mark, the one write that keeps it. */
  settle(value: string): void {
    this.guard(() =>
      this.db
        .transaction(() => {
          this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(SETTLED_KEY, value);
        })
        .immediate(),
    );
  }

  /**
   * Opens (creating when absent) and migrates; throws StoreError for anything
   * it will not touch, StateWriteError for files it cannot write.
   */
  static open(file: string): Store {
    const restored = restoreSidecars(file);
    // Said before anything runs: sqlite would read such a state and fail only at the first result.
    // Anything else (a directory in the way) is left to sqlite's own error.
    const found = writeFault(path.dirname(file), stateFiles(file), { space: false });
    if (found !== null && found.fault.kind !== 'other') throw new StateWriteError(found);
    let db: Database.Database;
    try {
      db = openSqlite(file);
    } catch (err) {
      const env = stateWriteError(file, err);
      if (env !== null) throw env;
      throw new StoreError(
        { path: file, problem: 'cannot-open', detail: `cannot open (${(err as Error).message})` },
        { cause: err },
      );
    }
    try {
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      Store.migrate(db, file);
    } catch (err) {
      db.close();
      if (err instanceof StoreError) throw err;
      const env = stateWriteError(file, err);
      if (env !== null) throw env;
      if (isCorruption(err)) {
        throw new StoreError(
          { path: file, problem: 'corrupt', detail: `is corrupt or not a database (${(err as Error).message})` },
          { cause: err },
        );
      }
      if ((err as SqliteError).code === 'SQLITE_BUSY') {
        throw new StoreError({ path: file, problem: 'busy', detail: 'is locked' }, { cause: err });
      }
      throw err;
    }
    return new Store(db, file, restored);
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
      throw new StoreError({
        path: file,
        problem: 'corrupt',
        detail: `is not a runner database (it holds tables ${tables.join(', ')})`,
      });
    }
    if (version > CURRENT_SCHEMA_VERSION) {
      throw new StoreError({
        path: file,
        problem: 'newer-version',
        detail: `was written by a newer runner (schema version ${version}; this runner reads up to ${CURRENT_SCHEMA_VERSION})`,
      });
    }
    if (version === CURRENT_SCHEMA_VERSION) {
      const missing = EXPECTED_TABLES.filter((t) => !tables.includes(t));
      if (missing.length > 0) {
        throw new StoreError({
          path: file,
          problem: 'corrupt',
          detail: `says schema version ${version} but lacks tables ${missing.join(', ')}`,
        });
      }
      return;
    }
    db.transaction(() => {
      if (version === 0) db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
      for (const m of MIGRATIONS) if (m.version > version) m.up(db);
      db.prepare('DELETE FROM schema_version').run();
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(CURRENT_SCHEMA_VERSION);
    }).immediate();
  }

  /**
   * Everything, in one read transaction, but the large snapshots and those `later` names (by name and size in
   * bytes): their names alone, for Store.snapshot to read when first needed.
   */
  read(later: (name: string, bytes: number) => boolean = () => false): StoredState {
    return this.guard(() =>
      this.db.transaction(() => {
        // length() of a blob reads no overflow page: the sizes cost what the names do.
        const sizes = this.db.prepare('SELECT name, length(data) FROM snapshot').raw().all() as [string, number][];
        const large = new Set<string>();
        const left = new Set<string>();
        for (const [name, bytes] of sizes) {
          if ((LARGE_SNAPSHOTS as readonly string[]).includes(name)) large.add(name);
          else if (later(name, bytes)) left.add(name);
        }
        // A scan that reads the blob of no row it leaves out (`+name`, as in snapshot()).
        const rest = this.db.prepare(
          `SELECT name, data FROM snapshot WHERE name NOT IN (${LARGE_LIST}) AND +name NOT IN (${[...left].map(() => '?').join(', ')})`,
        );
        return {
          meta: new Map(this.db.prepare('SELECT key, value FROM meta').raw().all() as [string, string][]),
          snapshots: new Map(rest.raw().all(...left) as [string, Buffer][]),
          large,
          later: left,
          latches: this.db.prepare('SELECT id, inputs FROM latches').raw().all() as LatchRow[],
          journal: this.db
            .prepare(`SELECT ${JOURNAL_COLUMNS} FROM result_journal ORDER BY seq`)
            .raw()
            .all() as RawResultRow[],
        };
      })(),
    );
  }

  /**
   * A snapshot read apart from the rest (read) when first needed. Call with the state directory's lock held
   * since read(), so that no other runner wrote in between.
   */
  snapshot(name: string): Buffer | undefined {
    // `+name`: a scan of the few rows, which reads the header of each and the blob of this one. A search by the
    // key reads whole every row it compares (the table is WITHOUT ROWID, so its b-tree compares records, and a
    // record that overflows its page is read in full to be compared): the others' blobs, MBs (1 to 2 ms a read
    // at 10,000 files).
    return this.guard(
      () =>
        (this.db.prepare('SELECT data FROM snapshot WHERE +name = ?').pluck().get(name) as Buffer | undefined) ??
        undefined,
    );
  }

  /** The manifest's changes, in one transaction. */
  write(w: StateWrite): void {
    this.guard(() =>
      this.db
        .transaction(() => {
          this.unsettle();
          const setMeta = this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
          for (const [k, v] of w.meta) setMeta.run(k, v);
          const setSnapshot = this.db.prepare('INSERT OR REPLACE INTO snapshot (name, data) VALUES (?, ?)');
          for (const [name, data] of w.snapshots) setSnapshot.run(name, data);
          const delSnapshot = this.db.prepare('DELETE FROM snapshot WHERE name = ?');
          for (const name of w.deleteSnapshots ?? []) delSnapshot.run(name);
          const delLatch = this.db.prepare('DELETE FROM latches WHERE id = ?');
          for (const id of w.deleteLatches) delLatch.run(id);
          if (w.clearJournal) this.db.prepare('DELETE FROM result_journal').run();
        })
        .immediate(),
    );
  }

  /**
   * Finished jobs (or reused results), committed at once so an interrupted run
   * keeps them, with the latch and the graph nodes they refer to.
   */
  /** The statements appendResults runs, prepared once: a run of many small jobs appends once per process. */
  private appendStatements: { latch: Database.Statement; node: Database.Statement; row: Database.Statement } | null =
    null;

  appendResults(rows: readonly RawResultRow[], latches: readonly LatchRow[], nodes: readonly MerkleRow[] = []): void {
    this.guard(() => {
      const st = (this.appendStatements ??= {
        latch: this.db.prepare('INSERT OR IGNORE INTO latches (id, inputs) VALUES (?, ?)'),
        node: this.db.prepare('INSERT OR IGNORE INTO merkle_node (hash, children, data) VALUES (?, ?, ?)'),
        row: this.db.prepare(
          `INSERT INTO result_journal (${JOURNAL_COLUMNS}) VALUES (${JOURNAL_COLUMNS.split(',')
            .map(() => '?')
            .join(', ')})`,
        ),
      });
      this.db
        .transaction(() => {
          this.unsettle();
          for (const l of latches) st.latch.run(...l);
          for (const n of nodes) st.node.run(...n);
          for (const r of rows) st.row.run(...r);
        })
        .immediate();
    });
  }

  private selectNode: Database.Statement | null = null;

  /** One graph node by hash, or undefined. */
  merkleNode(hash: string): MerkleRow | undefined {
    return this.guard(() => {
      this.selectNode ??= this.db.prepare('SELECT hash, children, data FROM merkle_node WHERE hash = ?').raw();
      return this.selectNode.get(hash) as MerkleRow | undefined;
    });
  }

  /** Deletes every graph node that none of the roots reaches; returns how many went. */
  sweepMerkle(roots: Iterable<string>): number {
    return this.guard(() =>
      this.db
        .transaction(() => {
          this.unsettle();
          const children = new Map(
            this.db.prepare('SELECT hash, children FROM merkle_node').raw().all() as [string, string][],
          );
          const reached = new Set<string>();
          const queue = [...roots].filter((h) => children.has(h));
          for (const h of queue) reached.add(h);
          for (let i = 0; i < queue.length; i++) {
            const c = children.get(queue[i]!) ?? '';
            for (const h of c === '' ? [] : c.split('\n')) {
              if (!reached.has(h) && children.has(h)) {
                reached.add(h);
                queue.push(h);
              }
            }
          }
          const del = this.db.prepare('DELETE FROM merkle_node WHERE hash = ?');
          let gone = 0;
          for (const h of children.keys()) if (!reached.has(h)) gone += del.run(h).changes;
          return gone;
        })
        .immediate(),
    );
  }

  /** Changes whenever another connection commits (sqlite's PRAGMA data_version); this connection's own commits leave it. */
  dataVersion(): number {
    return this.guard(() => this.db.pragma('data_version', { simple: true }) as number);
  }

  close(): void {
    this.db.close();
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      const code = (err as SqliteError).code;
      if (code === 'SQLITE_BUSY')
        throw new StoreError({ path: this.path, problem: 'busy', detail: 'is locked' }, { cause: err });
      if (isCorruption(err))
        throw new StoreError(
          { path: this.path, problem: 'corrupt', detail: `is corrupt (${(err as Error).message})` },
          { cause: err },
        );
      const env = stateWriteError(this.path, err);
      if (env !== null) throw env;
      // Any other sqlite error here means a layout this runner does not know (no such table or column).
      if (err instanceof Error && err.name === 'SqliteError') {
        throw new StoreError(
          { path: this.path, problem: 'corrupt', detail: `cannot be read (${err.message})` },
          { cause: err },
        );
      }
      throw err;
    }
  }
}

/** True when the state directory holds a database file (used by `runner clean` messages). */
export function storeExists(file: string): boolean {
  return fs.existsSync(file);
}
