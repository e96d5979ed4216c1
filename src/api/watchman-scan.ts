// Whether a scan asks watchman what changed (README, "With watchman"), and
// the scan that follows from its answer: only the changed paths looked at
// again, or the whole tree walked; the clock to keep with the result. A
// failure of watchman never fails the scan: it walks, and says why under -v.
import {
  type CompiledSpec,
  type ScanResult,
  type WatchOutcome,
  askWatchman,
  decodeWatchState,
  encodeWatchState,
  findWatchman,
  updatePaths,
} from '../scan/index.js';
import type { Session } from '../session.js';
import { treePath } from '../tree-path.js';
import type { EventSink } from './events.js';

/** RUNNER_WATCHMAN=0: never ask; =1: ask whatever the tree's size (the tests' small trees). */
export const WATCHMAN_ENV = 'RUNNER_WATCHMAN';
/**
 * Below this many tracked files a `watchman` process (about 6 ms here) saves
 * nothing: measured on this machine, a no-op of 1,000 files costs about the
 * same either way, one of 10,000 about 0.8x with watchman (README, "With watchman").
 */
export const WATCHMAN_MIN_FILES = 2000;

/** Why the scan does not ask watchman, or null when it does; `tracked`, when known, spares reading the files. */
export function watchmanOff(
  s: Pick<Session, 'loaded' | 'whitelist' | 'manifest'>,
  env: NodeJS.ProcessEnv,
  tracked?: number,
): string | null {
  const setting = env[WATCHMAN_ENV];
  if (setting === '0') return `${WATCHMAN_ENV}=0`;
  if (!s.loaded.config.watchman) return 'the config says "watchman": false';
  if (s.whitelist !== null) return 'a whitelist is read, not walked';
  if (setting !== '1' && (tracked ?? s.manifest.fileCount) < WATCHMAN_MIN_FILES)
    return `fewer than ${WATCHMAN_MIN_FILES} tracked files (${WATCHMAN_ENV}=1 asks anyway)`;
  return null;
}

export interface WatchedScan {
  /** The targeted update's result, or null: walk the whole tree. */
  result: ScanResult | null;
  /** The meta value to store with this scan's result; undefined: leave the stored one. */
  keep: string | undefined;
}

/**
 * Asks watchman and updates only what changed when its answer allows; emits
 * which path the scan takes and why. Cheap when watchman is absent: one
 * access() per PATH entry.
 */
export function scanByWatchman(
  s: Session,
  spec: CompiledSpec,
  env: NodeJS.ProcessEnv,
  events: EventSink,
  /** Its answer to this session's question already (a settled check asked it): nothing was stat'ed since. */
  asked?: WatchOutcome,
): WatchedScan {
  const off = watchmanOff(s, env);
  const program = off === null ? findWatchman(env) : null;
  if (program === null) {
    events.emit({ type: 'scan-path', how: 'walk', reason: off ?? 'watchman is not on PATH' });
    return { result: null, keep: undefined };
  }
  const { decision, state, askedMs } =
    asked ??
    askWatchman({
      program,
      env,
      sourceTree: s.sourceTree,
      stateRel: treePath(s.sourceTree, s.stateDir),
      spec: spec.key,
      stored: decodeWatchState(s.manifest.watchState),
    });
  const keep = state === null ? undefined : encodeWatchState(state);
  if (decision.kind === 'walk') {
    events.emit({ type: 'scan-path', how: 'walk', reason: decision.reason });
    return { result: null, keep };
  }
  // What updatePaths would refuse, said as it is.
  if (s.manifest.walkSpec !== spec.key) {
    events.emit({ type: 'scan-path', how: 'walk', reason: 'the stored files were scanned under other rules' });
    return { result: null, keep };
  }
  const result = updatePaths({
    sourceTree: s.sourceTree,
    spec,
    prior: s.manifest,
    paths: decision.paths,
    sinceClock: { askedMs },
  });
  if (result === null) {
    events.emit({ type: 'scan-path', how: 'walk', reason: 'the stored listings cannot answer for watchman’s changes' });
    return { result: null, keep };
  }
  events.emit({
    type: 'scan-path',
    how: 'watchman',
    reason: `${decision.paths.length} changed names since the stored clock`,
  });
  // An empty answer leaves the stored clock as good as the new one: a no-op writes nothing.
  return { result, keep: decision.paths.length === 0 ? undefined : keep };
}
