// Owns the format of a result's recorded dependencies (JobResult.deps and
// depsDigest): encoding, decoding and the digest. Every stage that reads or
// writes them goes through here; it does no I/O and identifies nothing.

import { hashString } from '../hash.js';

/**
 * One recorded dependency: a path (relative to the source tree, `/`-separated,
 * or absolute outside it) and its identity when recorded (a tracked file's
 * digest, or size and mtime).
 */
export type RecordedDep = [path: string, identity: string];

/** JobResult.deps of a result that recorded no list: a tool without deps, a graph kind, or a job that reported nothing. */
export const NO_RECORDED_DEPS = '';

/**
 * depsDigest of a job that reports its dependencies but reported none (no
 * depfile, no trace): it equals no digest, so the job is never fresh again.
 */
export const UNKNOWN_DEPS = 'unknown';

/** A result's `deps`: JSON of [path, identity] pairs. An empty list is '[]', not '': the job reported it ran on nothing. */
export function encodeDeps(entries: readonly (readonly [string, string])[]): string {
  return JSON.stringify(entries);
}

/**
 * The pairs a result's `deps` holds; [] for NO_RECORDED_DEPS. A malformed
 * value (not JSON, or not a list of [string, string] pairs: a damaged store)
 * throws, as JSON.parse did in each reader before this codec: the command
 * stops with an internal error before any job is judged, so a damaged record
 * never makes a job look fresh.
 */
export function decodeDeps(stored: string): RecordedDep[] {
  if (stored === NO_RECORDED_DEPS) return [];
  const value = JSON.parse(stored) as unknown;
  if (!Array.isArray(value)) throw malformed(stored);
  // A plain loop: a no-op of many traced jobs decodes every job's list.
  for (let i = 0; i < value.length; i++) {
    const e = value[i] as unknown;
    if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || typeof e[1] !== 'string')
      throw malformed(stored);
  }
  return value as RecordedDep[];
}

const malformed = (stored: string): Error =>
  new Error(`malformed recorded dependencies: ${stored.length > 80 ? stored.slice(0, 77) + '...' : stored}`);

/** The paths a result's `deps` holds, in their stored order. */
export function decodeDepPaths(stored: string): string[] {
  return decodeDeps(stored).map(([p]) => p);
}

/**
 * Sorts [path, identity] pairs in place and hashes them: a result's
 * depsDigest, and the plan's digest of the same pairs identified again, so
 * both sides must hash alike.
 */
export function digestEntries(entries: [string, string][]): string {
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return hashString(entries.map((e) => `${e[0]}\0${e[1]}`).join('\n'));
}
