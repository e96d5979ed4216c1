// What runner watch tells its caller: the events of each cycle and what the
// watch returns. Types only, so that report/ need not import the watch itself.
import type { RunnerError } from '../errors.js';
import type { RunReport } from './run-report.js';

export interface WatchEvents {
  /** A cycle begins: the first (a full run), or one for changes seen since the last. */
  cycleStarted(cycle: CycleStart): void;
  cycleFinished(cycle: WatchCycle): void;
  /** The changed config (or whitelist, or a tool) cannot be used: the previous one stays in force. */
  configRejected(error: RunnerError): void;
  /**
   * Cycle `cycle` stopped on an error; the watch goes on, and the next change scans the whole tree. An error
   * before the cycle could say what it reacts to (in the scan, say) comes without a cycleStarted for it.
   */
  cycleFailed(error: RunnerError, cycle: number): void;
  /** The watcher lost events; this cycle scans the whole tree. */
  watcherError(message: string): void;
}

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
