// The only place that knows runner's exit codes (design.md, "Exit codes").
import type { RunReport } from '../api.js';

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  internal: 70,
  sighup: 129,
  sigint: 130,
  sigpipe: 141,
  sigterm: 143,
} as const;

export function exitForSignal(signal: string): number {
  switch (signal) {
    case 'SIGINT':
      return EXIT.sigint;
    case 'SIGTERM':
      return EXIT.sigterm;
    case 'SIGHUP':
      return EXIT.sighup;
    case 'SIGPIPE':
      return EXIT.sigpipe;
    default:
      return EXIT.failed;
  }
}

export function exitForRun(r: RunReport): number {
  if (r.interrupted !== null) return exitForSignal(r.interrupted);
  // A file runner could not read never passes silently: its jobs were not checked (README, "Files runner cannot read").
  const unread = r.counts.unreadable > 0 || r.scan.unreadable.files + r.scan.unreadable.directories > 0;
  return r.counts.failed > 0 || r.counts.cachedFailures > 0 || unread ? EXIT.failed : EXIT.ok;
}
