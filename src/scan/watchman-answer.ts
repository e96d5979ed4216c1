// Decides what watchman's answers mean for a scan: the changed paths to update,
// or why the whole tree must be walked. Pure: opens nothing, runs nothing
// (scan/watchman.ts asks watchman; api/watchman-scan.ts acts on the decision).
import type { RelPath } from '../types.js';
import { IGNORE_FILE } from './ignore-files.js';

/**
 * What the manifest keeps (meta key "watchman") beside the files a scan
 * adopted: the clock the scan's answer was taken at, and what the clock is
 * about. Changes after `clock` are the only ones the adopted files may miss.
 */
export interface WatchState {
  /** The source tree the clock was taken for (an absolute path). */
  tree: string;
  /** The directory watchman watches (watch-project may pick one above the tree, e.g. the repository's). */
  root: string;
  /** The source tree relative to `root` ('' when they are one). */
  rel: string;
  clock: string;
  /** The walk's key (include, exclude, ignore rules, state directory) the adopted files were scanned under. */
  spec: string;
}

/** How a scan goes after asking watchman: only `paths` looked at again, or the whole tree walked (and why). */
export type WatchDecision =
  | { kind: 'changes'; paths: RelPath[]; clock: string }
  /** `clock`: taken before the walk, so the walk's result may be stored with it; null: store none. */
  | { kind: 'walk'; reason: string; clock: string | null };

/**
 * Past this many changed names the targeted update costs about what the walk
 * does (a checkout of another branch, an npm install into a tracked
 * directory): walk, and keep the answer's clock.
 */
export const MAX_CHANGED_NAMES = 10_000;

export function encodeWatchState(w: WatchState): string {
  return JSON.stringify(w);
}

/** The stored state, or null when absent or not of this shape (an older or damaged value: the walk decides). */
export function decodeWatchState(text: string | undefined): WatchState | null {
  if (text === undefined || text === '') return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const keys = ['tree', 'root', 'rel', 'clock', 'spec'] as const;
  if (!keys.every((k) => typeof o[k] === 'string')) return null;
  return { tree: o.tree, root: o.root, rel: o.rel, clock: o.clock, spec: o.spec } as WatchState;
}

/** Why the stored clock cannot be asked about for this scan (null: it can). */
export function staleWatchState(stored: WatchState | null, tree: string, spec: string): string | null {
  if (stored === null) return 'no clock stored yet';
  if (stored.tree !== tree) return 'the clock was stored for another source tree';
  if (stored.spec !== spec) return 'the walk’s rules changed (include, exclude, ignore rules)';
  return null;
}

/** watch-project's answer: the watched root and the tree's place below it; a string: what is wrong with it. */
export function readWatchProject(answer: unknown): { root: string; rel: string } | string {
  const a = answer as Record<string, unknown> | null;
  if (typeof a !== 'object' || a === null) return 'an answer that is not an object';
  if (typeof a.error === 'string') return a.error;
  if (typeof a.watch !== 'string' || a.watch === '') return 'no watched root in the answer';
  const rel = a.relative_path ?? '';
  if (typeof rel !== 'string') return 'a relative path that is not a string';
  return { root: a.watch, rel };
}

/** The clock command's answer; a string with a space: what is wrong with it. */
export function readClock(answer: unknown): { clock: string } | string {
  const a = answer as Record<string, unknown> | null;
  if (typeof a !== 'object' || a === null) return 'an answer that is not an object';
  if (typeof a.error === 'string') return a.error;
  if (typeof a.clock !== 'string' || a.clock === '') return 'no clock in the answer';
  return { clock: a.clock };
}

/** A name relative to the source tree that a watchman answer may hold: no empty, dot or absolute segment. */
function isPlainName(n: unknown): n is string {
  if (typeof n !== 'string' || n === '' || n.startsWith('/') || n.endsWith('/')) return false;
  return n.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/**
 * A query's answer (fields ["name"], relative to the source tree, since the
 * stored clock), read as a decision. Anything unexpected, a fresh instance
 * (watchman restarted, or recrawled after dropped events: what happened since
 * the clock is not known) or a changed ignore file means the walk.
 */
export function decideFromQuery(answer: unknown): WatchDecision {
  const a = answer as Record<string, unknown> | null;
  if (typeof a !== 'object' || a === null)
    return { kind: 'walk', reason: 'watchman: an answer that is not an object', clock: null };
  if (typeof a.error === 'string') return { kind: 'walk', reason: `watchman: ${a.error}`, clock: null };
  const clock = typeof a.clock === 'string' && a.clock !== '' ? a.clock : null;
  if (clock === null) return { kind: 'walk', reason: 'watchman: no clock in the answer', clock: null };
  if (a.is_fresh_instance === true)
    return { kind: 'walk', reason: 'watchman: a fresh instance (restarted, or recrawled)', clock };
  if (a.is_fresh_instance !== false)
    return { kind: 'walk', reason: 'watchman: no is_fresh_instance in the answer', clock: null };
  if (!Array.isArray(a.files) || !a.files.every(isPlainName))
    return { kind: 'walk', reason: 'watchman: unexpected file names in the answer', clock: null };
  const names = a.files as string[];
  if (names.length > MAX_CHANGED_NAMES)
    return { kind: 'walk', reason: `watchman: ${names.length} changed names (over ${MAX_CHANGED_NAMES})`, clock };
  // The rules a .gitignore holds decide what every listing below it keeps: only the walk reads them all again.
  const rules = names.find((n) => n === IGNORE_FILE || n.endsWith(`/${IGNORE_FILE}`));
  if (rules !== undefined) return { kind: 'walk', reason: `watchman: ${rules} changed`, clock };
  return { kind: 'changes', paths: names as RelPath[], clock };
}
