// What runner watch tells its caller of each cycle (carried by the
// cycle-started and cycle-finished events, events.ts) and what the watch
// returns. Types only, so that report/ need not import the watch itself.
import type { RunReport } from './run-report.js';

export interface CycleStart {
  cycle: number;
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
  /** The signal that ended the watch. */
  interrupted: string | null;
}
