// A CommandRunner that starts no process (ninja's FakeCommandRunner): each job
// waits until the test finishes it, or ends at once when `auto` says how;
// an abort of the run's signal ends it 'interrupted', as spawnJob does.
import fs from 'node:fs';
import type { CommandRunner } from '../../src/build/index.js';
import type { JobCommand, JobOutcome } from '../../src/exec/index.js';

/** How a job ends. */
export interface FakeEnd {
  status: 'passed' | 'failed';
  /** What the job writes to its log (default: nothing). */
  log?: string;
  /** A failure of runner itself (could not start it, could not write its log): reported, never recorded. */
  runnerFault?: string;
  /** The log is removed once written, so the recorder cannot move it into place: a recorder error. */
  logVanishes?: boolean;
}

export interface StartedJob {
  command: JobCommand;
  /** The job's file: its command's last argument. */
  file: string;
  ended: boolean;
}

export class FakeCommandRunner implements CommandRunner {
  /** Every job started, in order. */
  readonly started: StartedJob[] = [];
  /** How many jobs run now, and the most that ran at once. */
  running = 0;
  peak = 0;
  /** How many times the build said no job runs any more. */
  idleCalls = 0;
  private readonly pending = new Map<StartedJob, (end: FakeEnd) => void>();

  /** auto: how a job ends as soon as it starts; null (or no auto) leaves it to finish(). */
  constructor(private readonly auto?: (job: StartedJob) => FakeEnd | null) {}

  start(command: JobCommand, signal: AbortSignal): Promise<JobOutcome> {
    const job: StartedJob = { command, file: command.args.at(-1) ?? '', ended: false };
    this.started.push(job);
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    return new Promise<JobOutcome>((resolve) => {
      const end = (how: FakeEnd | 'interrupted'): void => {
        if (job.ended) return;
        job.ended = true;
        this.running--;
        this.pending.delete(job);
        signal.removeEventListener('abort', onAbort);
        if (how !== 'interrupted' && how.log !== undefined) fs.writeFileSync(command.logPath, how.log);
        const logBytes = fs.statSync(command.logPath, { throwIfNoEntry: false })?.size ?? 0;
        if (how !== 'interrupted' && how.logVanishes === true) fs.rmSync(command.logPath, { force: true });
        resolve(
          how === 'interrupted'
            ? {
                end: { kind: 'interrupted', stopped: { kind: 'signal', signal: String(signal.reason) } },
                durationMs: 1,
                logBytes,
                runnerFault: null,
              }
            : {
                end:
                  how.runnerFault !== undefined
                    ? { kind: 'spawn-error' }
                    : { kind: 'exit', code: how.status === 'passed' ? 0 : 1 },
                durationMs: 1,
                logBytes,
                runnerFault: how.runnerFault ?? null,
              },
        );
      };
      const onAbort = (): void => end('interrupted');
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) return onAbort();
      const decided = this.auto?.(job) ?? null;
      // Ended on a later turn, as a process's exit is: the build has moved on to its next token by then.
      if (decided !== null) setImmediate(() => end(decided));
      else this.pending.set(job, end);
    });
  }

  idle(): void {
    this.idleCalls++;
  }

  /** Files of the jobs started and not yet ended. */
  get waiting(): string[] {
    return [...this.pending.keys()].map((j) => j.file);
  }

  /** Ends the running job of `file` (its command's last argument). */
  finish(file: string, end: FakeEnd): void {
    const job = [...this.pending.keys()].find((j) => j.file === file);
    if (job === undefined) throw new Error(`no running job for ${file}; running: ${this.waiting.join(', ') || 'none'}`);
    this.pending.get(job)!(end);
  }
}
