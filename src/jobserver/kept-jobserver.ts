// A jobserver served across the runs of one watch (issue 17 point 3): its
// fifo made once, its tokens counted back after each run and served again,
// so that a cycle forks nothing for it (mkfifo is a fork of runner's whole
// process). connect.ts decides when a run serves one; this only keeps it.
import { type ServeStyle, type ServedJobserver, serveJobserver } from './server.js';

export class KeptJobserver {
  private kept: { jobs: number; style: ServeStyle; served: ServedJobserver } | null = null;

  /** The jobserver for a run alone with `jobs` and `style`: the one kept from the last run, or a new one. */
  take(jobs: number, style: ServeStyle): ServedJobserver {
    const k = this.kept;
    if (k !== null && k.jobs === jobs && k.style === style) return k.served;
    this.discard();
    const served = serveJobserver(jobs, style);
    this.kept = { jobs, style, served };
    return served;
  }

  /** After a run: counts its tokens back and keeps the fifo for the next run when they all came home. */
  finish(served: ServedJobserver): string | null {
    const k = this.kept;
    if (k === null || k.served !== served) return served.finish();
    const { warning, next } = served.again();
    this.kept = next === null ? null : { ...k, served: next };
    return warning;
  }

  /** Removes the fifo (the watch is over, or runner is exiting). */
  discard(): void {
    this.kept?.served.discard();
    this.kept = null;
  }
}
