// The bounds on kept results: per job, the last few used (least recently used
// out first); over all jobs, a count and a total log size, past which the
// least recently used results go first. Pure: the manifest applies the drops.
import type { RelPath } from '../types.js';
import type { JobResult } from './model.js';

/** A job's results, most recently used first; nearly every job has one, kept without an array. */
export type Stored = JobResult | JobResult[];
export const listOf = (v: Stored): JobResult[] => (Array.isArray(v) ? v : [v]);

/**
 * Puts a result at the head of its job's list (a result under the same
 * fingerprint, recorded again or reused, replaces the old one). Returns the
 * new stored form, the result it replaced, and what the bound pushed out.
 */
export function putFirst(
  known: Stored | undefined,
  result: JobResult,
  bound: number,
): { stored: Stored; replaced: JobResult | null; dropped: JobResult[] } {
  const list = known === undefined ? [] : listOf(known);
  const same = list.findIndex((r) => r.fingerprint === result.fingerprint);
  const replaced = same >= 0 ? list.splice(same, 1)[0]! : null;
  list.unshift(result);
  const dropped = list.splice(bound);
  return { stored: list.length === 1 ? result : list, replaced, dropped };
}

export interface Bounds {
  maxResults: number;
  maxLogBytes: number;
}

/**
 * Which results to drop so that the count and the total log size fit their
 * bounds: least recently used first, never a current job's latest result (it
 * is what keeps a no-op fresh). Returns [] when everything already fits.
 */
export function leastRecentlyUsed(
  results: ReadonlyMap<string, ReadonlyMap<RelPath, Stored>>,
  totals: { count: number; logBytes: number },
  bounds: Bounds,
  isCurrent: (path: RelPath) => boolean,
): JobResult[] {
  if (totals.count <= bounds.maxResults && totals.logBytes <= bounds.maxLogBytes) return [];
  const candidates: JobResult[] = [];
  for (const byPath of results.values()) {
    for (const [path, stored] of byPath) {
      const list = listOf(stored);
      candidates.push(...(isCurrent(path) ? list.slice(1) : list));
    }
  }
  candidates.sort((a, b) => a.usedAt - b.usedAt);
  let { count, logBytes } = totals;
  const out: JobResult[] = [];
  for (const r of candidates) {
    if (count <= bounds.maxResults && logBytes <= bounds.maxLogBytes) break;
    out.push(r);
    count--;
    logBytes -= r.logBytes;
  }
  return out;
}
