// The build loop: takes a token per job, starts the job through the command
// runner, hands its outcome to the recorder, gives the token back in
// `finally`. A job's end may name follow-up jobs (the next process of a
// failed batch chunk's narrowing): they run one after another under the
// token it held, so narrowing takes no token more. On --fail-fast starts
// nothing after the first failure and lets running jobs (with their
// follow-ups) finish; on abort lets the command runner stop them and waits.
import { statusOf } from '../job-end.js';
import type { TokenPool } from '../jobserver/index.js';
import type { CommandRunner } from './command-runner.js';
import type { JobRecorder } from './job-recorder.js';

export interface BuildOptions<J> {
  /** One token per running job: the run's local pool, or make's jobserver. */
  pool: TokenPool;
  runner: CommandRunner;
  recorder: JobRecorder<J>;
  signal: AbortSignal;
  failFast: boolean;
}

export interface BuildSummary<J> {
  /** Jobs never started (interrupted run, --fail-fast after a failure, a recorder error), follow-ups too. */
  notStarted: J[];
  stoppedByFailure: boolean;
}

/**
 * Runs `jobs` in order, as many at once as the pool gives tokens. Every token
 * taken goes back before build() settles, whatever happens (abort, a job's
 * failure, a recorder that throws).
 */
export async function build<J>(jobs: readonly J[], opts: BuildOptions<J>): Promise<BuildSummary<J>> {
  const running = new Set<Promise<void>>();
  const errors: unknown[] = [];
  let failed = false;
  let next = 0;
  const unstarted: J[] = [];
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
    const held = token;
    const queue: J[] = [jobs[next++]!];
    const p = (async () => {
      try {
        // Follow-ups go first, so a chunk is narrowed depth-first; an abort or a recorder error leaves them unstarted.
        for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
          opts.recorder.started(job);
          const outcome = await opts.runner.start(opts.recorder.commandFor(job), opts.signal);
          if (statusOf(outcome.end) === 'failed') failed = true;
          const more = opts.recorder.finished(job, outcome) ?? [];
          queue.unshift(...more);
          if (opts.signal.aborted || errors.length > 0) break;
        }
      } catch (err) {
        errors.push(err);
      } finally {
        unstarted.push(...queue.splice(0));
        held.release();
      }
    })();
    running.add(p);
    // A token comes back only after finished(), so the next acquire already sees a failure.
    void p.finally(() => running.delete(p));
  }
  await Promise.all(running);
  opts.runner.idle();
  if (errors.length > 0) throw errors[0];
  return { notStarted: [...unstarted, ...jobs.slice(next)], stoppedByFailure: opts.failFast && failed };
}
