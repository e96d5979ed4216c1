// Decides where a run's slots come from and what its jobs inherit: make's
// jobserver (validated first), one job at a time under make without one,
// or, alone, a local pool that runner also serves to its jobs.
import type { JobserverError } from '../errors.js';
import { JobserverPool } from './client.js';
import { openFifoSource } from './fifo-client.js';
import type { KeptJobserver } from './kept-jobserver.js';
import { LocalPool } from './local-pool.js';
import type { Makeflags } from './makeflags.js';
import { openPipeSource } from './pipe-client.js';
import { type FdPlacement, type ServeStyle, type ServedJobserver, serveJobserver } from './server.js';
import type { TokenPool } from './token.js';
import { type ProcView, checkPipe, linuxProc } from './validate.js';

export interface Slots {
  pool: TokenPool;
  /** MAKEFLAGS for every job (never latched); null leaves the tools' environment as latched. */
  makeflags: string | null;
  /** Jobserver descriptors each job gets at the same numbers. */
  fds: FdPlacement;
  /** Said once, before the jobs start. */
  warnings: string[];
  /** Gives every token back, and for a served jobserver checks they all came home; returns warnings. */
  finish(): string[];
  /** Synchronous, for exit paths: gives back every token still held. */
  releaseAll(): void;
}

export interface SlotOptions {
  makeflags: Makeflags | null;
  /** -j N from the command line: under make it overrides the jobserver, as make's -j does for a sub-make. */
  jobsFlag: number | undefined;
  /** The config's `jobs`: the default alone, a cap under make's jobserver. */
  configJobs: number | null;
  cpuCount: number;
  /** Serve a jobserver to the jobs when alone; false: --no-jobserver. */
  serve: ServeStyle | false;
  /** Where a served jobserver is kept for the next run (a watch's cycles); absent, each run makes its own. */
  kept?: KeptJobserver;
  proc?: ProcView;
}

const HOW_TO_FIX = "prefix the recipe with '+' (e.g. '+runner run') so make passes its jobserver to runner";

function fixed(pool: TokenPool, warnings: string[] = [], makeflags: string | null = null): Slots {
  return { pool, makeflags, fds: [], warnings, finish: () => [], releaseAll: () => {} };
}

function fromJobserver(pool: JobserverPool, makeflags: string, fds: FdPlacement): Slots {
  return {
    pool,
    makeflags,
    fds,
    warnings: [],
    finish: () => {
      pool.close();
      return [];
    },
    releaseAll: () => pool.releaseAll(),
  };
}

function alone(jobs: number, serve: ServeStyle | false, warnings: string[] = [], kept?: KeptJobserver): Slots {
  if (serve === false || jobs < 2) return fixed(new LocalPool(jobs), warnings);
  let served: ServedJobserver;
  try {
    served = kept === undefined ? serveJobserver(jobs, serve) : kept.take(jobs, serve);
  } catch (err) {
    // Serving is a courtesy to nested makes; runner's own pool does not need it.
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return fixed(new LocalPool(jobs), [
      ...warnings,
      `cannot serve a jobserver to the jobs (${why}); nested makes will not share runner's -j ${jobs}`,
    ]);
  }
  return {
    pool: served.pool,
    makeflags: served.makeflags,
    fds: served.fds,
    warnings: served.capNote === null ? warnings : [...warnings, served.capNote],
    finish: () => {
      const w = kept === undefined ? served.finish() : kept.finish(served);
      return w === null ? [] : [w];
    },
    releaseAll: () => (kept === undefined ? served.discard() : kept.discard()),
  };
}

export function openSlots(o: SlotOptions): Slots {
  const mf = o.makeflags;
  const standaloneJobs = o.jobsFlag ?? o.configJobs ?? o.cpuCount;
  if (mf === null) return alone(standaloneJobs, o.serve, [], o.kept);
  const auth = mf.auth;
  const hasJobserver = auth !== null && auth.style !== 'disabled';
  if (o.jobsFlag !== undefined) {
    const note = hasJobserver
      ? [`-j ${o.jobsFlag} overrides make's jobserver: runner runs up to ${o.jobsFlag} jobs of its own beside make's`]
      : [];
    return alone(o.jobsFlag, o.serve, note, o.kept);
  }
  if (auth === null) {
    // make -j1 or plain make: serial; a bare -j: no limit, so runner's own default.
    return mf.jobs === 'unlimited' ? alone(standaloneJobs, o.serve, [], o.kept) : fixed(new LocalPool(mf.jobs ?? 1));
  }
  const cap = o.configJobs ?? Number.POSITIVE_INFINITY;
  const ignore = (why: string): Slots =>
    fixed(new LocalPool(1), [`ignoring jobserver (${why}); running one job at a time: ${HOW_TO_FIX}`]);
  switch (auth.style) {
    case 'disabled':
      return fixed(new LocalPool(1), [], mf.raw);
    case 'pipe': {
      const check = checkPipe(auth.read, auth.write, o.proc ?? linuxProc);
      if (!check.ok) return ignore(`MAKEFLAGS names descriptors ${auth.read},${auth.write}, but ${check.detail}`);
      try {
        const pool = new JobserverPool(openPipeSource(auth.read, auth.write, mf.raw), cap);
        return fromJobserver(pool, mf.raw, [
          [auth.read, auth.read],
          [auth.write, auth.write],
        ]);
      } catch (err) {
        return ignore((err as JobserverError).fields?.detail ?? String(err));
      }
    }
    case 'fifo':
      try {
        return fromJobserver(new JobserverPool(openFifoSource(auth.path, mf.raw), cap), mf.raw, []);
      } catch (err) {
        return ignore((err as JobserverError).fields?.detail ?? String(err));
      }
  }
}
