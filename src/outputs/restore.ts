// On a hit: whether the outputs a result kept are on disk as it left them,
// and, when not, puts them back from the store. Decided before the plan
// calls a job fresh: a hit whose outputs are gone and not kept is no hit.
import fs from 'node:fs';
import path from 'node:path';
import { makeDirs } from '../make-dirs.js';
import { RACY_MARGIN_MS } from '../racy-margin.js';
import { digestFile } from '../scan/index.js';
import type { Digest, Fingerprint, RelPath } from '../types.js';
import {
  type OutputEntry,
  type OutputStat,
  type StatCache,
  blobPath,
  hasBlob,
  readOutputList,
  readStatCache,
  writeAtomically,
  writeStatCache,
} from './store.js';

/**
 * 'intact': every output is on disk with its kept content and mode; 'restore': one is not, and
 * the store holds every one; 'missing': the store cannot put them back (the job must run).
 */
export type OutputsState = { kind: 'intact' } | { kind: 'restore'; outputs: OutputEntry[] } | { kind: 'missing' };

export interface OutputsScope {
  /** The tree the outputs belong in. */
  root: string;
  stateDir: string;
  /** A file's digest as the scan just found it, when the tree tracks it: no need to read it again. */
  knownDigest?: (rel: RelPath) => Digest | undefined;
}

/**
 * Where a result's outputs stand (`fingerprint`: the result's). An output
 * whose stat is the one cached when its content last matched (and was not
 * racy then) is not read again; once all match, the cache is brought up to
 * date, so the next no-op reads none.
 */
export function outputsState(scope: OutputsScope, fingerprint: Fingerprint): OutputsState {
  const list = readOutputList(scope.stateDir, fingerprint);
  if (list === null) return { kind: 'missing' };
  const cache = readStatCache(scope.stateDir, fingerprint);
  const stats: Record<string, OutputStat> = {};
  let read = false;
  const changed = list.filter((e) => {
    const found = checkOutput(scope, e, cache);
    if (found === null) return true;
    stats[e.path] = found.stat;
    read ||= found.read;
    return false;
  });
  if (changed.length === 0) {
    if (read) writeStatCache(scope.stateDir, fingerprint, { checkedAt: Date.now(), stats });
    return { kind: 'intact' };
  }
  return changed.every((e) => hasBlob(scope.stateDir, e.digest))
    ? { kind: 'restore', outputs: changed }
    : { kind: 'missing' };
}

/** The output's stat when it is on disk with its kept content and mode (`read`: its content had to be read); else null. */
function checkOutput(
  scope: OutputsScope,
  e: OutputEntry,
  cache: StatCache | null,
): { stat: OutputStat; read: boolean } | null {
  const abs = path.join(scope.root, e.path);
  const st = fs.statSync(abs, { throwIfNoEntry: false });
  if (st?.isFile() !== true || st.size !== e.size || (st.mode & 0o777) !== e.mode) return null;
  const stat: OutputStat = [st.size, st.mtimeMs, st.ctimeMs, st.ino];
  const cached = cache?.stats[e.path];
  // Changed within the clock's margin of the check, a later write could keep the same stat: read it again.
  const settled = cache !== null && Math.max(st.mtimeMs, st.ctimeMs) < cache.checkedAt - RACY_MARGIN_MS;
  if (settled && cached !== undefined && cached.every((v, i) => v === stat[i])) return { stat, read: false };
  try {
    return (scope.knownDigest?.(e.path) ?? digestFile(abs)) === e.digest ? { stat, read: true } : null;
  } catch {
    return null; // unreadable now: put back
  }
}

/** Puts `outputs` back from the store, each written whole (a temporary name, then a rename). Throws on I/O failure. */
export function restoreOutputs(scope: Pick<OutputsScope, 'root' | 'stateDir'>, outputs: readonly OutputEntry[]): void {
  const root = fs.realpathSync(scope.root);
  for (const e of outputs) {
    const abs = path.join(scope.root, e.path);
    makeDirs(path.dirname(abs));
    // A directory on the way that is a link out of the tree is not followed: a list (a remote cache's too)
    // writes only inside the source tree.
    const dir = fs.realpathSync(path.dirname(abs));
    if (dir !== root && !dir.startsWith(root + path.sep))
      throw new Error(`${e.path} would be written outside the source tree (through ${path.dirname(e.path)})`);
    writeAtomically(abs, fs.readFileSync(blobPath(scope.stateDir, e.digest)), e.mode);
  }
}
