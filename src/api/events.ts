// Everything the library tells its caller while it works, as one union of
// events discriminated by `type`, and the one interface that receives them
// (EventSink). Stages emit; only report/ and cli/ turn events into text.
// Types (and a sink that hears nothing), low enough that api/, session.ts
// and report/ all import it without an import cycle.
import type { UnresolvedImport } from '../deps/index.js';
import type { RunnerError } from '../errors.js';
import type { ScanIssue } from '../scan/index.js';
import type { RelPath } from '../types.js';
import type { JobEnd } from '../job-end.js';
import type { StagedRoot } from '../staged-path.js';
import type { NarrowingStop } from './narrowing.js';
import type { ChunkReport, JobReport, RunReport } from './run-report.js';
import type { CycleStart, WatchCycle } from './watch-report.js';

/**
 * A job that ran or was asked to run has three events of its own: started,
 * finished (passed, failed, interrupted), and, said before anything runs and
 * never counted as progress, a cached failure or a job not checked because
 * its file cannot be read. Each carries the job's report as RunReport lists it.
 */
export type RunnerEvent =
  // The scan.
  | { type: 'scan-progress'; visited: number; hashed: number }
  | { type: 'scan-issue'; issue: ScanIssue }
  /**
   * How the scan finds what changed (README, "With watchman", "A settled no-op"): the whole tree walked,
   * watchman asked, or the tree checked as the last run left it (settled); and why.
   */
  | { type: 'scan-path'; how: 'walk' | 'watchman' | 'settled' | 'stats'; reason: string }
  | { type: 'warning'; message: string }
  /** Non-relative javascript imports that resolve nowhere in files some job depends on (less ignoreUnresolved), once per scan; never empty. */
  | { type: 'unresolved-imports'; found: readonly UnresolvedImport[] }
  /** Another runner holds the state directory: this one waits until it lets go (pid null: not known). */
  | { type: 'waiting-for-runner'; pid: number | null; stateDir: string }
  /**
   * runner's own work between the jobs (--trace draws it): a phase ends before the next begins, and
   * none runs inside another. They carry no time: a sink that wants one reads its clock when it hears them.
   */
  | { type: 'phase-started'; phase: RunPhase }
  | { type: 'phase-finished'; phase: RunPhase }
  /**
   * The build asks for a token before it starts a process, one ask at a time (the first gets the implicit
   * token at once); `got` false: the run was interrupted while it waited. Said only when stale jobs run.
   */
  | { type: 'token-wait-started' }
  | { type: 'token-wait-finished'; got: boolean }
  // The plan and its jobs.
  | { type: 'planned'; jobs: number; stale: number; cachedFailures: number; fresh: number }
  /** Once per job, when the first process that runs its file starts; `chunk`: that process, for a batch tool's file. */
  | { type: 'job-started'; tool: string; path: RelPath; chunk?: string }
  /**
   * A batch tool's process starts: a chunk the run planned (its files' job-started follow), or a process
   * narrowing a failed one (its files were started already: no job-started again). One-file tools send none.
   */
  | { type: 'chunk-started'; tool: string; chunk: ChunkReport; paths: readonly RelPath[] }
  /**
   * That process ended. `narrowing`: a narrowing goes on, its next process runs next; else its files'
   * job-finished follow (a narrowing's files all finish when it ends).
   */
  | { type: 'chunk-finished'; tool: string; chunk: ChunkReport; end: JobEnd; durationMs: number; narrowing: boolean }
  /**
   * The narrowing of failed chunk `chunk` stopped before judging `unjudged` of its files alone (its budget of
   * processes spent, or a dense failure): they fail in this run, unjudged, and run again next time.
   * Sent before their job-finished.
   */
  | { type: 'narrowing-stopped'; tool: string; chunk: string; stop: NarrowingStop; unjudged: number }
  /** A job ran to an end: passed, failed or interrupted (a failure of runner itself included, never recorded). */
  | { type: 'job-finished'; job: JobReport }
  /**
   * A run that lists its fresh jobs (--json, --junit) says them here while its stale jobs run, so that a
   * reporter can render them meanwhile; the same objects come again in the report's jobs. Not said when
   * nothing runs.
   */
  | { type: 'fresh-listed'; jobs: readonly JobReport[] }
  /** An unchanged job whose last result failed: reported, not run (status 'cached-failure'). */
  | { type: 'cached-failure'; job: JobReport }
  /**
   * A stale job whose result the remote cache had (README, "Remote cache"): restored and recorded here, not run.
   * Said before anything runs; one of the plan's stale jobs done (progress counts it). Status 'passed', or
   * 'cached-failure' for a failure.
   */
  | { type: 'remote-hit'; job: JobReport }
  /** A job that cannot be checked: its file, or a directory above it, cannot be read (status 'unreadable'). */
  | { type: 'job-unchecked'; job: JobReport }
  // What the caller's exit paths (exit, uncaught errors, signals) must undo; each function is synchronous.
  /** The run holds jobserver tokens until it ends: releaseAll gives back every one still held. */
  | { type: 'tokens-held'; releaseAll: () => void }
  /** run --staged wrote the staged tree: remove deletes it. */
  | { type: 'staged-tree-made'; remove: () => void }
  /**
   * The staged trees whose paths a job's log may name (the kept one; in run --staged, also this run's),
   * with the source tree each stands for: outputs show the source tree's paths instead. Sent before any job ends.
   * `sourceTree`: the absolute source tree, for outputs that name files from elsewhere (GitHub's annotations).
   */
  | { type: 'staged-roots'; roots: readonly StagedRoot[]; sourceTree: string }
  /** run (or run --staged) is over; what it returns. Not sent by a watch: its cycles end with cycle-finished. */
  | { type: 'run-finished'; report: RunReport }
  // runner watch.
  /** A cycle begins: the first (a full run), or one for changes seen since the last. */
  | { type: 'cycle-started'; cycle: CycleStart }
  | { type: 'cycle-finished'; cycle: WatchCycle }
  /** The changed config (or whitelist, or a tool) cannot be used: the previous one stays in force. */
  | { type: 'config-rejected'; error: RunnerError }
  /**
   * Cycle `cycle` stopped on an error; the watch goes on, and the next change scans the whole tree. An error
   * before the cycle could say what it reacts to (in the scan, say) comes without a cycle-started for it.
   */
  | { type: 'cycle-failed'; error: RunnerError; cycle: number }
  /** The watcher lost events; this cycle scans the whole tree. */
  | { type: 'watcher-error'; message: string };

export type RunnerEventType = RunnerEvent['type'];

/**
 * runner's own work, as phase events name it: the walk of the tree, the reading of the jobs' dependencies
 * (findDeps), the plan, and a save (the scan adopted into the manifest, or the results folded at the end).
 */
export type RunPhase = 'scan' | 'deps' | 'plan' | 'save';

/** What receives the library's events: the CLI's text, JSON and JUnit outputs, a test's recorder. */
export interface EventSink {
  emit(event: RunnerEvent): void;
}

/** Hears nothing: for callers that want only what a command returns. */
export const noEvents: EventSink = { emit() {} };
