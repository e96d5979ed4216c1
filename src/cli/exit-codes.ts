// The only place that knows runner's exit codes (design.md, "Exit codes").
import type { RunReport } from '../api.js';

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  internal: 70,
  sighup: 129,
  sigint: 130,
  sigterm: 143,
} as const;

export function exitForSignal(signal: string): number {
  return signal === 'SIGINT' ? EXIT.sigint : signal === 'SIGTERM' ? EXIT.sigterm : signal === 'SIGHUP' ? EXIT.sighup : EXIT.failed;
}

export function exitForRun(r: RunReport): number {
  if (r.interrupted !== null) return exitForSignal(r.interrupted);
  return r.counts.failed > 0 || r.counts.cachedFailures > 0 ? EXIT.failed : EXIT.ok;
}
