// Runs jobs under a token pool: one token per running job, released in
// `finally`; on --fail-fast starts nothing after the first failure and lets
// running jobs finish; on abort lets spawnJob stop them and waits for them.
import type { TokenPool } from '../jobserver/index.js';
import { type JobCommand, type JobOutcome, spawnJob } from './spawn.js';
import { releaseWatchdog } from './watchdog.js';

export interface ExecOptions<J> {
  pool: TokenPool;
  signal: AbortSignal;
  failFast: boolean;
  commandFor(job: J): JobCommand;
  onStart(job: J): void;
  /** Records the outcome; runs before the job's token goes back. */
  onFinish(job: J, outcome: JobOutcome): void;
}

export interface ExecSummary<J> {
  /** Jobs never started (interrupted run, or --fail-fast after a failure). */
  notStarted: J[];
  stoppedByFailure: boolean;
}

export async function executeJobs<J>(jobs: readonly J[], opts: ExecOptions<J>): Promise<ExecSummary<J>> {
  const running = new Set<Promise<void>>();
  const errors: unknown[] = [];
  let failed = false;
  let next = 0;
  const stopping = (): boolean => opts.signal.aborted || (opts.failFast && failed) || errors.length > 0;

  while (next < jobs.length && !stopping()) {
    let token;
    try {
      token = await opts.pool.acquire(opts.signal);
    } catch {
      break; // aborted while waiting
    }
    if (stopping()) {
      token.release();
      break;
    }
    const job = jobs[next++]!;
    const held = token;
    const p = (async () => {
      try {
        opts.onStart(job);
        const outcome = await spawnJob(opts.commandFor(job), opts.signal);
        if (outcome.status === 'failed') failed = true;
        opts.onFinish(job, outcome);
      } catch (err) {
        errors.push(err);
      } finally {
        held.release();
      }
    })();
    running.add(p);
    // A token comes back only after onFinish, so the next acquire already sees a failure.
    void p.finally(() => running.delete(p));
  }
  await Promise.all(running);
  releaseWatchdog();
  if (errors.length > 0) throw errors[0];
  return { notStarted: jobs.slice(next), stoppedByFailure: opts.failFast && failed };
}
