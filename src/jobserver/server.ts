// runner's own jobserver when it runs alone with -j N: N-1 tokens in a fifo
// that runner's jobs draw from too, so a nested make, ninja or cargo shares
// runner's N slots (../shared/docs/jobserver.md §9). Node cannot make an
// anonymous pipe, so a private named fifo serves both styles: pipe style
// places its ends at descriptors 3 and 4 in each job (all GNU make 4.3 reads),
// fifo style names its path (all ninja 1.13 joins).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { JobserverPool } from './client.js';
import { readOne, writeOne } from './pipe-client.js';
import { fifoHasReader, isProcessAlive } from '../process-probe.js';
import { removeFile } from '../remove-file.js';
import { nativeAddon } from '../native-addon.js';

export type ServeStyle = 'pipe' | 'fifo';

/** Descriptors a job gets for the jobserver, as [number in the job, descriptor in runner]. */
export type FdPlacement = [child: number, parent: number][];

export interface ServedJobserver {
  pool: JobserverPool;
  makeflags: string;
  /** Jobs at once with the tokens served: `jobs`, or fewer when the pipe holds fewer tokens (see `capNote`). */
  jobs: number;
  /** Said once before the jobs start when the pipe could not hold jobs-1 tokens. */
  capNote: string | null;
  fds: FdPlacement;
  /** Takes the tokens back and removes the fifo; returns a warning when some never came back. */
  finish(): string | null;
  /** Removes the fifo; for exit paths that cannot count. */
  discard(): void;
  /**
   * Counts the tokens back as finish does but keeps the fifo, the tokens put back in it: the same jobserver
   * served again (a fresh pool) for the next run of a watch, without another mkfifo (a fork of runner's whole
   * process). When some never came back, the fifo is removed: `warning` says so and `next` is null.
   */
  again(): { warning: string | null; next: ServedJobserver | null };
}

const TOKEN = '+'.charCodeAt(0); // what GNU make 4.3 writes

/**
 * Half of the smallest pipe Linux makes, one 4 KiB page (pipe(7): what a user
 * past pipe-user-pages-soft gets): this many tokens or fewer are all kept
 * whatever the pipe holds, so fillTokens need not learn its capacity.
 */
const TOKENS_THAT_FIT = 2048;

/**
 * The fifo's directory is `<tmpdir>/runner-jobserver-<pid>-XXXXXX`: its owner's
 * pid in the name, so that the directory a runner killed outright (SIGKILL)
 * could not remove is recognised and removed by the next one that serves.
 */
const DIR_PREFIX = 'runner-jobserver-';

/**
 * Puts up to `wanted` tokens in the fifo and returns how many it holds. The
 * writes go through a description of its own opened O_NONBLOCK: a blocking
 * write of more than the pipe holds (64 KiB by default on Linux) never
 * returned, runner being its only reader, and runner was then deaf to
 * SIGINT/SIGTERM (issue 12). The pipe is filled to learn its capacity, then
 * drained to at most half of it: a job writing a token back one byte at a
 * time can find every page of a nearly full pipe in use and wait for a
 * reader that waits for it (pipe_write in fs/pipe.c merges a byte only into
 * the last page's free room). The jobs' write end stays blocking, as make
 * 4.4 expects.
 */
function fillTokens(fifo: string, read: number, wanted: number): number {
  if (wanted <= 0) return 0;
  const fd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK); // a reader is open: this never waits
  const chunk = Buffer.alloc(4096, TOKEN); // at most PIPE_BUF: each write goes in whole or not at all
  let held = 0;
  try {
    if (wanted <= TOKENS_THAT_FIT) {
      // What the filling below keeps, without its 17 writes and 16 reads (about 0.6 ms a run, issue 14 point 7).
      try {
        held = fs.writeSync(fd, chunk, 0, wanted);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      }
      if (held === wanted) return held;
    }
    for (;;) {
      try {
        held += fs.writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') break; // full: now held is the capacity
        throw err;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  const keep = Math.min(wanted, Math.floor(held / 2));
  const drain = Buffer.alloc(4096);
  while (held > keep) held -= fs.readSync(read, drain, 0, Math.min(drain.length, held - keep), null);
  return held;
}

/** The fifo, mode 600: by runner's native addon when it is built (no process started), else by the mkfifo program. */
function makeFifo(fifo: string): void {
  const addon = nativeAddon();
  if (addon === null) {
    execFileSync('mkfifo', ['-m', '600', fifo]);
    return;
  }
  const errno = addon.mkfifo(fifo, 0o600);
  if (errno !== 0) {
    const code = util.getSystemErrorName(errno);
    throw Object.assign(new Error(`${code}: cannot make the fifo ${fifo}`), { errno, code, path: fifo });
  }
}

export function serveJobserver(jobs: number, style: ServeStyle): ServedJobserver {
  const tmp = os.tmpdir();
  // Dead runners' directories go at the loop's next turn, once the first job has started: no job waits for that.
  setImmediate(() => removeAbandonedDirs(tmp));
  const dir = fs.mkdtempSync(path.join(tmp, `${DIR_PREFIX}${process.pid}-`));
  const fifo = path.join(dir, 'fifo');
  const fds: number[] = [];
  let discarded = false;
  const discard = (): void => {
    // Once: the exit path's call after finish() would find the directory gone and take fs.rmSync (its rimraf).
    if (discarded) return;
    discarded = true;
    for (const fd of fds.splice(0)) fs.closeSync(fd);
    try {
      // The fifo and its directory, without fs.rmSync's rimraf (remove-file.ts says why)...
      removeFile(fifo);
      fs.rmdirSync(dir);
    } catch {
      fs.rmSync(dir, { recursive: true, force: true }); // ...unless something else is in it
    }
  };
  try {
    makeFifo(fifo);
    const read = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    fds.push(read);
    const write = fs.openSync(fifo, fs.constants.O_WRONLY);
    fds.push(write);
    // A blocking read end for the jobs (make 4.4 expects one); the open returns at once, a writer being open.
    const childRead = fs.openSync(fifo, fs.constants.O_RDONLY);
    fds.push(childRead);
    const tokens = fillTokens(fifo, read, jobs - 1);
    const served = tokens + 1;
    const capNote =
      served < jobs
        ? `-j ${jobs} is more than runner's jobserver pipe can serve: it serves ${tokens} tokens (half of what the pipe holds), so runner and its jobs run at most ${served} jobs at once`
        : null;
    const buf = Buffer.alloc(1);
    const auth = style === 'pipe' ? '3,4' : `fifo:${fifo}`;
    /** Takes every token back; returns the warning when not all came home (the fifo is then unusable). */
    const countBack = (pool: JobserverPool): string | null => {
      pool.releaseAll();
      let back = 0;
      while (typeof readOne(read, buf) === 'number') back++;
      if (back === tokens) return null;
      return back < tokens
        ? `jobserver: ${tokens - back} of runner's ${tokens} tokens did not come back from the jobs`
        : `jobserver: the jobs wrote back ${back - tokens} more tokens than runner served`;
    };
    const serving = (): ServedJobserver => {
      const pool = new JobserverPool(
        { tryRead: () => readOne(read, buf), write: (b) => writeOne(write, b), close: () => {} },
        served,
      );
      return {
        pool,
        jobs: served,
        capNote,
        makeflags: ` -j${served} --jobserver-auth=${auth}`,
        fds:
          style === 'pipe'
            ? [
                [3, childRead],
                [4, write],
              ]
            : [],
        finish: () => {
          const warning = countBack(pool);
          discard();
          return warning;
        },
        discard,
        again: () => {
          const warning = countBack(pool);
          if (warning !== null) {
            discard();
            return { warning, next: null };
          }
          // At most half of what the pipe holds (fillTokens): the write goes in whole, at once.
          if (tokens > 0) fs.writeSync(write, Buffer.alloc(tokens, TOKEN));
          return { warning: null, next: serving() };
        },
      };
    };
    return serving();
  } catch (err) {
    discard();
    throw err;
  }
}

/**
 * Removes the fifo directories whose runner is gone: its pid is not alive,
 * and no process holds the fifo's read end (every serving runner does until
 * it ends). The second check keeps the fifo of a runner in another pid
 * namespace sharing this tmpdir; a pid that is alive (reused, or another
 * user's: EPERM) keeps its directory: a leftover kept is harmless, a live
 * runner's fifo removed is not. Another user's directories are left alone.
 */
function removeAbandonedDirs(tmp: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(tmp);
  } catch {
    return;
  }
  const uid = process.getuid?.();
  const ours = new RegExp(`^${DIR_PREFIX}(\\d+)-`);
  for (const name of names) {
    const m = ours.exec(name);
    if (m === null || isProcessAlive(Number(m[1]))) continue;
    const dir = path.join(tmp, name);
    try {
      if (uid !== undefined && fs.lstatSync(dir).uid !== uid) continue;
      if (fifoHasReader(path.join(dir, 'fifo'))) continue;
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // Gone meanwhile (another runner cleaning too), or not ours to remove.
    }
  }
}
