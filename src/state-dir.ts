// The state directory's layout: the name of everything runner keeps in it
// and of every snapshot it keeps in its manifest, and the paths built from
// them. Names and paths only: it creates, reads and removes nothing.
import path from 'node:path';

// Entries of the state directory.

/** The manifest (store/), with sqlite's manifest.db-wal and manifest.db-shm beside it. */
export const MANIFEST_FILE = 'manifest.db';
/** Recorded results' logs, each named after its result (manifest/model.ts logFileName). */
export const LOGS_DIR = 'logs';
/**
 * Recorded logs' stream indexes (log-streams.ts), each under its log's name:
 * a directory apart, so logs/ holds as many names as ever (a plan lists it).
 */
export const STREAMS_DIR = 'streams';
/** Running jobs' logs, each under a name of its own, moved into LOGS_DIR under their result's name when the job ends. */
export const RUNNING_LOGS_DIR = 'running';
/** strace's output of "deps": "trace" jobs, read and removed when each job ends. */
export const TRACES_DIR = 'traces';
/** What tools wrote (their `outputs`), by content, and each result's list of them (outputs/store.ts). */
export const OUTPUTS_DIR = 'outputs';
/** The state directory's lock (store/state-lock.ts): sqlite files whose kernel lock is held, and the holder's pid. */
export const LOCK_FILE = 'lock.db';
export const LOCK_OWNER_FILE = 'lock.owner';
/** Taken before the lock itself and let go once it is held: whoever waits longest gets the lock next. */
export const TURNSTILE_FILE = 'lock.turn.db';
/**
 * The staged tree (api/staged-tree.ts) lives in `staged`, kept between runs,
 * with `staged.index` (git's record of what was written there) and
 * `staged.lock` (the pid of the runner using it); a run that finds it in use
 * writes a temporary `staged-<pid>-XXXXXX` instead.
 */
export const STAGED_TREE_DIR = 'staged';
export const STAGED_INDEX = 'staged.index';
/** git's lock on the private index while it rewrites it; left behind when git is killed mid-way (a hook's process group killed). */
export const STAGED_INDEX_LOCK = 'staged.index.lock';
export const STAGED_LOCK = 'staged.lock';
export const TEMP_TREE_PREFIX = 'staged-';

// Snapshots kept in the manifest (Manifest.blob/setBlob), besides its own files, dirs and results (manifest/codec.ts).

/** Program digests and version managers' answers (config/program-ids.ts). */
export const PROGRAMS_SNAPSHOT = 'programs';
/** Stat cache of the declared inputs' digests (config/input-cache.ts). */
export const INPUT_CACHE_SNAPSHOT = 'input-digests';
/** The git index's stat when the last scan looked (api/git-ignore.ts): a change re-reads the listings that left a name out. */
export const INDEX_STAT_SNAPSHOT = 'git-index-stat';
/** The python import cache of the working tree; its resolved graph under resolvedSnapshotOf. */
export const PYTHON_IMPORTS = 'imports.python';
export const JS_IMPORTS = 'imports.javascript';
/** The kept javascript graph of the working tree; with directSnapshotOf and unresolvedSnapshotOf beside it. */
export const JS_GRAPH = 'graph.javascript';
/** The same two graphs of the staged tree, kept apart so a commit check never throws away the working tree's. */
export const STAGED_PYTHON_IMPORTS = 'staged.imports.python';
export const STAGED_JS_GRAPH = 'staged.graph.javascript';
/** The staged tree's files' stats and digests, and when they were taken. */
export const STAGED_FILES = 'staged.files';
export const STAGED_SCANNED_AT = 'staged.scanned-at';

/** The python graph resolved from the import cache `name`. */
export const resolvedSnapshotOf = (name: string): string => `${name}.resolved`;
/** Each file's direct imports, of the kept graph `name`. */
export const directSnapshotOf = (name: string): string => `${name}.direct`;
/** What the kept graph `name`'s unresolved-import warnings were (api/unresolved-warnings.ts). */
export const unresolvedSnapshotOf = (name: string): string => `${name}.unresolved`;

/**
 * Names runner itself creates in a state directory: the manifest and its
 * sqlite files, logs/, streams/ and running/, the lock files, traces/, outputs/, and the staged
 * tree's entries.
 */
export function isStateEntry(name: string): boolean {
  return (
    name.startsWith(MANIFEST_FILE) ||
    name === LOGS_DIR ||
    name === RUNNING_LOGS_DIR ||
    name === STREAMS_DIR ||
    name === TRACES_DIR ||
    name === OUTPUTS_DIR ||
    name.startsWith(LOCK_FILE) ||
    name.startsWith(TURNSTILE_FILE) ||
    name === LOCK_OWNER_FILE ||
    name === STAGED_TREE_DIR ||
    name.startsWith('staged.') ||
    name.startsWith(TEMP_TREE_PREFIX)
  );
}

/** The state directory's entries that belong to staged trees (`runner clean` removes them). */
export function isStagedEntry(name: string): boolean {
  return (
    name === STAGED_TREE_DIR ||
    name === STAGED_INDEX ||
    name === STAGED_INDEX_LOCK ||
    name === STAGED_LOCK ||
    name.startsWith(TEMP_TREE_PREFIX)
  );
}

/** The pid in a temporary staged tree's name; null for any other name. */
export function tempTreeOwner(name: string): number | null {
  const m = new RegExp(`^${TEMP_TREE_PREFIX}(\\d+)-`).exec(name);
  return m === null ? null : Number(m[1]);
}

// Paths in a state directory.

export const manifestPath = (stateDir: string): string => path.join(stateDir, MANIFEST_FILE);
export const logsDir = (stateDir: string): string => path.join(stateDir, LOGS_DIR);
/** A log in logs/, by its file name (manifest/model.ts logFileName). */
export const logFilePath = (stateDir: string, fileName: string): string => path.join(stateDir, LOGS_DIR, fileName);
/**
 * The whole output of a batch process, linked beside the log of a file its
 * tool's failure pattern named (that log holds the naming lines); it goes with that log.
 */
export const outputLogPath = (logFile: string): string => `${logFile}${OUTPUT_LOG_SUFFIX}`;
export const OUTPUT_LOG_SUFFIX = '.output';
export const streamsDir = (stateDir: string): string => path.join(stateDir, STREAMS_DIR);
/**
 * A recorded log's stream index (log-streams.ts): which stream wrote each run
 * of its bytes. It lives and goes with its log (`logFile`, in logs/): linked,
 * removed and swept with it.
 */
export const streamIndexPath = (stateDir: string, logFile: string): string =>
  path.join(stateDir, STREAMS_DIR, path.basename(logFile));
/** A running job's stream index, beside its log in running/ (removed with it). */
export const runningStreamIndexPath = (runningLog: string): string => `${runningLog}.streams`;
export const runningLogsDir = (stateDir: string): string => path.join(stateDir, RUNNING_LOGS_DIR);
/** A running job's log: this runner's pid and a counter, so no two runners' or jobs' names meet. */
export const runningLogPath = (stateDir: string, pid: number, n: number): string =>
  path.join(stateDir, RUNNING_LOGS_DIR, `${pid}-${n}.log`);
export const tracesDir = (stateDir: string): string => path.join(stateDir, TRACES_DIR);
/** A traced job's strace output, named after its fingerprint. */
export const traceFilePath = (stateDir: string, fingerprint: string): string =>
  path.join(stateDir, TRACES_DIR, `${fingerprint}.trace`);
export const lockPath = (stateDir: string): string => path.join(stateDir, LOCK_FILE);
export const lockOwnerPath = (stateDir: string): string => path.join(stateDir, LOCK_OWNER_FILE);
export const turnstilePath = (stateDir: string): string => path.join(stateDir, TURNSTILE_FILE);
export const stagedTreePath = (stateDir: string): string => path.join(stateDir, STAGED_TREE_DIR);
export const stagedIndexPath = (stateDir: string): string => path.join(stateDir, STAGED_INDEX);
export const stagedIndexLockPath = (stateDir: string): string => path.join(stateDir, STAGED_INDEX_LOCK);
export const stagedLockPath = (stateDir: string): string => path.join(stateDir, STAGED_LOCK);
/** The prefix mkdtemp completes into a temporary staged tree of runner `pid`. */
export const tempTreePrefix = (stateDir: string, pid: number): string =>
  path.join(stateDir, `${TEMP_TREE_PREFIX}${pid}-`);
