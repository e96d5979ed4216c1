// The state directory's lock: one runner at a time reads and writes a state
// directory. Held by the kernel (sqlite's fcntl lock on lock.db), so a
// SIGKILLed runner leaves nothing behind; lock.owner only names the holder.
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { openSqlite } from './sqlite.js';
import { StateDirError, type StateWriteError } from '../errors.js';
import { lockOwnerPath, lockPath, turnstilePath } from '../state-dir.js';
import { stateWriteError } from './db.js';

/** How often a waiting runner tries again (it must not block its event loop: SIGINT has to stop it). */
const RETRY_MS = 50;

/** How many tries a runner out of line waits before it says it waits (the one ahead is taking the lock). */
const ANNOUNCE_TRIES = 20;

export interface LockHolder {
  /** The holder's pid as it wrote it, or null when it is not known (yet). */
  pid: number | null;
}

type SqliteError = Error & { code?: string };

/** One sqlite file whose exclusive lock this process holds while `held`. */
class KernelLock {
  private db: Database.Database | null = null;

  constructor(private readonly file: string) {}

  /** True when taken now, false when another process holds it. */
  tryTake(): boolean {
    this.db ??= this.open();
    try {
      this.db.exec('BEGIN EXCLUSIVE');
      return true;
    } catch (err) {
      if ((err as SqliteError).code === 'SQLITE_BUSY' || (err as SqliteError).code === 'SQLITE_LOCKED') return false;
      throw lockError(this.file, err);
    }
  }

  release(): void {
    if (this.db === null) return;
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } finally {
      this.db.close();
      this.db = null;
    }
  }

  private open(): Database.Database {
    try {
      // A new database keeps sqlite's rollback journal (never set to WAL here), so an exclusive transaction holds
      // an exclusive fcntl lock on the file itself. Nothing here reads the file: that would wait on the holder.
      const db = openSqlite(this.file);
      db.pragma('busy_timeout = 0');
      return db;
    } catch (err) {
      throw lockError(this.file, err);
    }
  }
}

/** A full disk or a read-only state is named as such (no corruption, results kept); anything else says the lock failed. */
function lockError(file: string, err: unknown): StateDirError | StateWriteError {
  const named = stateWriteError(file, err);
  if (named !== null) return named;
  const code = (err as SqliteError).code ?? 'EUNKNOWN';
  return new StateDirError(
    { path: file, problem: `cannot be locked (${code}: ${(err as Error).message})` },
    { cause: err },
  );
}

/**
 * Holds a state directory for one runner. Another runner that wants it waits
 * (saying so once through `onWait`), polling without blocking, until the
 * holder releases it or dies.
 */
export class StateLock {
  private constructor(
    private readonly lock: KernelLock,
    private readonly ownerFile: string,
  ) {}

  /** Takes the lock, waiting while another runner holds it; resolves null when `signal` aborts the wait. */
  static async acquire(
    stateDir: string,
    signal: AbortSignal | undefined,
    onWait: (holder: LockHolder) => void,
  ): Promise<StateLock | null> {
    const lock = new KernelLock(lockPath(stateDir));
    const ownerFile = lockOwnerPath(stateDir);
    // Everyone passes the turnstile to the lock, and a waiter stays in it until it has the lock: a runner that
    // lets go and wants the lock again at once (watch, between cycles) then queues behind the one waiting.
    const turn = new KernelLock(turnstilePath(stateDir));
    try {
      for (let inLine = false, announced = false, tries = 0; ; tries++) {
        if (signal?.aborted === true) return null;
        inLine ||= turn.tryTake();
        if (inLine && lock.tryTake()) return new StateLock(lock, ownerFile).own();
        // In line (the turnstile ours), the holder has written its pid: it does so before it lets the turnstile go.
        // Out of line, the runner ahead may be taking the lock this moment: the message waits a little for its pid.
        if (!announced && (inLine || tries >= ANNOUNCE_TRIES)) {
          onWait({ pid: readOwner(ownerFile) });
          announced = true;
        }
        await sleep(RETRY_MS, signal);
      }
    } catch (err) {
      lock.release();
      throw err;
    } finally {
      turn.release();
    }
  }

  private own(): this {
    try {
      // Overwritten in place at a fixed width, never truncated: on ext4 a truncating rewrite flushes at close
      // (auto_da_alloc), which cost every no-op some milliseconds.
      const fd = fs.openSync(this.ownerFile, fs.constants.O_RDWR | fs.constants.O_CREAT);
      try {
        fs.writeSync(fd, `${String(process.pid).padEnd(10)}\n`, 0);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      // Only the waiting message reads it: a state directory that cannot take it fails at its first real write.
    }
    return this;
  }

  private released = false;

  /** False once released: what this runner knows of the state directory may be stale from then on. */
  get held(): boolean {
    return !this.released;
  }

  release(): void {
    this.released = true;
    this.lock.release();
  }
}

function readOwner(file: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
