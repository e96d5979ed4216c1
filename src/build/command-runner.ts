// The one way the build starts a job (ninja's CommandRunner): given the job's
// command, run it to an end. The process spawner is one implementation; a test
// passes a fake that finishes jobs on command. Knows nothing of tokens or results.
import type { JobCommand, JobOutcome } from '../exec/index.js';

export interface CommandRunner {
  /**
   * Runs one job's command and resolves with its outcome. When `signal`
   * aborts, stops the job and resolves with an 'interrupted' end; never
   * rejects for the job's own failure (that is an outcome).
   */
  start(command: JobCommand, signal: AbortSignal): Promise<JobOutcome>;
  /**
   * Called when a build is about to start jobs, before the run opens its tokens: a runner may get ready
   * meanwhile (the process spawner starts its watchdog). idle() follows, whether or not a job started.
   */
  prepare?(): void;
  /** Called once the build has no job running any more (the end of a run, a watch cycle). */
  idle(): void;
}
