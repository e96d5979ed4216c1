// The single in-memory model of the source tree and of job results. Stages
// read it and hand it their changes; only the manifest writes to the store.
import type { JobEnd, ResultStatus } from '../job-end.js';
import type { ToolLatch } from '../tool-latch.js';
import type { Digest, Fingerprint, LatchId, RelPath } from '../types.js';

/** mtime/ctime are Node's double milliseconds: sub-microsecond, finer than the kernel's file clock. */
export interface FileEntry {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  digest: Digest;
  /** When a scan first saw this content (ms since the epoch; 0: before runner kept it): explain's "changed since". */
  changedAt: number;
  /** Which scan last saw the file (in memory only): the walk updates the map in place. */
  seen: number;
}

/** A walked directory's stat and what the walk kept of its entries. */
export interface DirListing {
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  /** Names of entries tracked as files (included, not excluded). */
  files: string[];
  /** Names of subdirectories to descend (not excluded). */
  subdirs: string[];
  /**
   * Its .gitignore's stat when the listing was read under git's ignore rules
   * (null: none, or the rules are off): a change in it re-reads this listing
   * and every one below it.
   */
  ignoreFile: IgnoreFileStat | null;
  /**
   * Whether a pattern matched a name here (left out, or kept because git
   * tracks it): read again when the index changes, which may change that.
   */
  hasIgnored: boolean;
}

export interface IgnoreFileStat {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

export interface JobResult {
  tool: string;
  path: RelPath;
  fingerprint: Fingerprint;
  latchId: LatchId;
  digest: Digest;
  /**
   * The verdict the planner reads, statusOf(end) when recorded. Stored in its
   * own column: decoding `end` from older rows can never turn it into a pass.
   */
  status: ResultStatus;
  end: JobEnd;
  durationMs: number;
  /** Whether the job wrote anything: a job with no output keeps no log file. */
  hasLog: boolean;
  /** Hash of the job's dependencies as they were when it ran; '' for a tool without deps. */
  depsDigest: string;
  /** Those dependencies, as [path, identity] pairs encoded by recorded-deps.ts; '' without a list. */
  deps: string;
  /** Milliseconds since the epoch. */
  finishedAt: number;
  /** When the result was recorded or last reused (ms since the epoch): the history drops the least recently used. */
  usedAt: number;
  /** Size of its log in bytes (0 without one; 0 for results stored before schema 3). */
  logBytes: number;
  /** Restored from the remote cache, not run here (explain says so); absent for a result that ran here. */
  remote?: true;
  /** Ran here after the remote cache was asked for its key and had no artifact (a 404): explain says so. */
  remoteMiss?: true;
  /**
   * A batch tool's file whose failed chunk's narrowing stopped before judging
   * it (api/narrowing.ts): stored with status 'interrupted', so that it runs
   * again, and the log of the smallest failed process that held it. Absent otherwise.
   */
  unjudged?: UnjudgedStop;
}

/** Why a narrowing stopped before judging a file, after how many processes: as NarrowingStop says it. */
export interface UnjudgedStop {
  kind: 'budget' | 'dense';
  processes: number;
}

/**
 * A result's log is its own file, named after its fingerprint and when it
 * finished: a rerun under the same inputs writes a new file and never
 * touches the one a kept result names (issue 12).
 */
export function logFileName(r: { fingerprint: Fingerprint; finishedAt: number }): string {
  return `${r.fingerprint}-${r.finishedAt}.log`;
}

/** The name runner before issue 12 gave a result's log (one per fingerprint); renamed once, at the first open. */
export function legacyLogFileName(fingerprint: Fingerprint): string {
  return `${fingerprint}.log`;
}

export type { ResultStatus, ToolLatch };
