// On a hit: whether the outputs a result kept are on disk as it left them,
// and, when not, puts them back from the store. Decided before the plan
// calls a job fresh: a hit whose outputs are gone and not kept is no hit.
import fs from 'node:fs';
import path from 'node:path';
import { makeDirs } from '../make-dirs.js';
import { digestFile } from '../scan/index.js';
import type { Digest, Fingerprint, RelPath } from '../types.js';
import { type OutputEntry, blobPath, hasBlob, readOutputList, writeAtomically } from './store.js';

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

/** Where a result's outputs stand (`fingerprint`: the result's). */
export function outputsState(scope: OutputsScope, fingerprint: Fingerprint): OutputsState {
  const list = readOutputList(scope.stateDir, fingerprint);
  if (list === null) return { kind: 'missing' };
  const changed = list.filter((e) => !isOnDisk(scope, e));
  if (changed.length === 0) return { kind: 'intact' };
  return changed.every((e) => hasBlob(scope.stateDir, e.digest))
    ? { kind: 'restore', outputs: changed }
    : { kind: 'missing' };
}

function isOnDisk(scope: OutputsScope, e: OutputEntry): boolean {
  const abs = path.join(scope.root, e.path);
  const st = fs.statSync(abs, { throwIfNoEntry: false });
  if (st?.isFile() !== true || st.size !== e.size || (st.mode & 0o777) !== e.mode) return false;
  try {
    return (scope.knownDigest?.(e.path) ?? digestFile(abs)) === e.digest;
  } catch {
    return false; // unreadable now: put back
  }
}

/** Puts `outputs` back from the store, each written whole (a temporary name, then a rename). Throws on I/O failure. */
export function restoreOutputs(scope: Pick<OutputsScope, 'root' | 'stateDir'>, outputs: readonly OutputEntry[]): void {
  for (const e of outputs) {
    const abs = path.join(scope.root, e.path);
    makeDirs(path.dirname(abs));
    writeAtomically(abs, fs.readFileSync(blobPath(scope.stateDir, e.digest)), e.mode);
  }
}
