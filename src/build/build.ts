// The build loop: takes a token per job, starts the job through the command
// runner, hands its outcome to the recorder, gives the token back in
// `finally`. A job's end may name follow-up jobs (the next process of a
// failed batch chunk's narrowing): they run one after another under the
// token it held, so narrowing takes no token more. Jobs of a tool with a
// limit of its own (`serial`, `jobs`) wait while that many of its jobs run;
// the loop then starts the first job in order that may start, and takes a
// token only once one may. On --fail-fast starts nothing after the first
// failure and lets running jobs (with their follow-ups) finish; on abort lets
// the command runner stop them and waits.
import { statusOf } from '../job-end.js';
import type { TokenPool } from '../jobserver/index.js';
import type { CommandRunner } from './command-runner.js';
import type { JobRecorder } from './job-recorder.js';
import { type JobLimit, LimitQueue } from './limit-queue.js';

export interface BuildOptions<J> {
  /** One token per running job: the run's local pool, or make's jobserver. */
  pool: TokenPool;
  runner: CommandRunner;
  recorder: JobRecorder<J>;
  signal: AbortSignal;
  failFast: boolean;
  /** The limit a job's tool sets on its jobs at once; null (or no limitOf): none but the tokens. */
  limitOf?: (job: J) => JobLimit | null;
}

export interface BuildSummary<J> {
  /** Jobs never started (interrupted run, --fail-fast after a failure, a recorder error), follow-ups too. */
  notStarted: J[];
  stoppedByFailure: boolean;
}

/**
 * Runs `jobs` in order, as many at once as the pool gives tokens and each
 * job's limit allows. Every token taken goes back before build() settles,
 * whatever happens (abort, a job's failure, a recorder that throws).
 */
export async function build<J>(jobs: readonly J[], opts: BuildOptions<J>): Promise<BuildSummary<J>> {
  const running = new Set<Promise<void>>();
  const errors: unknown[] = [];
  let failed = false;
  const waiting = new LimitQueue(jobs, opts.limitOf ?? (() => null));
  const unstarted: J[] = [];
  const stopping = (): boolean => opts.signal.aborted || (opts.failFast && failed) || errors.length > 0;
  /** Wakes the loop when a job gives its token back (its tool has room again) or the run aborts. */
  let wake: () => void = () => {};
  const onAbort = (): void => wake();
  opts.signal.addEventListener('abort', onAbort);

  try {
    while (!waiting.isEmpty() && !stopping()) {
      // No token is taken while every waiting job's tool is full: a jobserver token held idle is one make's other jobs lack.
      if (!waiting.hasStartable()) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
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
      // Only a start takes room, and only this loop starts: a job that could start before the wait still can.
      // Checked anyway, so that a token is never kept by a take() that throws.
      if (!waiting.hasStartable()) {
        token.release();
        continue;
      }
      const held = token;
      const { job: first, done } = waiting.take();
      const queue: J[] = [first];
      const p = (async () => {
        try {
          // Follow-ups go first, so a chunk is narrowed depth-first; an abort or a recorder error leaves them unstarted.
          // They take the place of the job they follow: its token, and its room in its tool's limit.
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
          done();
          held.release();
          wake();
        }
      })();
      running.add(p);
      // A token comes back only after finished(), so the next acquire already sees a failure.
      void p.finally(() => running.delete(p));
    }
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
  }
  await Promise.all(running);
  opts.runner.idle();
  if (errors.length > 0) throw errors[0];
  return { notStarted: [...unstarted, ...waiting.rest()], stoppedByFailure: opts.failFast && failed };
}
