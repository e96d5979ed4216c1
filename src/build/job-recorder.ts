// What the build calls around each job it starts: the place where a job's
// outcome becomes a result (recorded, counted, reported). The build decides
// when; the recorder decides what is kept.
import type { JobCommand, JobOutcome } from '../exec/index.js';

export interface JobRecorder<J> {
  /** The command that runs the job; called right before it starts. */
  commandFor(job: J): JobCommand;
  /** The job is about to start (it holds a token). */
  started(job: J): void;
  /**
   * The job ended; runs before its token goes back, so the next job to take
   * that token already sees this outcome (--fail-fast). A throw stops the
   * build: nothing more starts, running jobs end, and build() rethrows it.
   * Returns the jobs to run next under the same token (the next process of
   * a failed chunk's narrowing), or nothing.
   */
  finished(job: J, outcome: JobOutcome): readonly J[] | void;
}
