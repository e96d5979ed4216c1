// What runner watch tells its caller of each cycle (carried by the
// cycle-started and cycle-finished events, events.ts) and what the watch
// returns. Types only, so that report/ need not import the watch itself.
import type { RunReport } from './run-report.js';

/**
 * What a user asked of a running watch (a key on a terminal): run every job
 * (`a`), run the failed jobs again (`f`), or scan the whole tree and run what
 * is stale (Enter).
 */
export type WatchRequest = 'all' | 'failed' | 'stale';

/** Where the watch hears requests; given only when someone can make them (a terminal). */
export interface WatchRequests {
  /**
   * The next request, made while the watch waits between cycles; null when
   * `signal` aborts first. A request made while a cycle runs is not seen
   * (jest and vitest do not act on it either).
   */
  next(signal: AbortSignal): Promise<WatchRequest | null>;
}

export interface CycleStart {
  cycle: number;
  /** The request this cycle answers; null for a cycle started by changes. */
  request: WatchRequest | null;
  /** Files whose content changed, that appeared, that went (tracked files only). */
  changed: number;
  added: number;
  removed: number;
  /** The config file changed and was loaded again for this cycle. */
  configReloaded: boolean;
  /** A tool's definition, environment, executable or declared inputs differ from the last cycle's. */
  toolsChanged: boolean;
  /** An untracked file that a depfile or trace job recorded as read changed. */
  recordedChanged: boolean;
  /** The whole tree was scanned (the first cycle, a new config's globs, a watcher error). */
  fullScan: boolean;
}

export interface WatchCycle {
  cycle: number;
  report: RunReport;
  /** Tracked files after the cycle. */
  watching: number;
}

export interface WatchReport {
  cycles: number;
  /** The signal that ended the watch, or the abort reason its caller gave (`q`). */
  interrupted: string | null;
}
