// After a job passed: finds the files its output patterns name and keeps each
// in the store (store.ts), returning the list to record with its result. A
// pattern that names no file is the tool's failure (it did not write what it
// declares), reported as data; runner's own I/O failing (the state directory
// full or read-only) throws, and the recorder never records that as a result.
import fs from 'node:fs';
import path from 'node:path';
import { compileGlobs, globBase } from '../scan/index.js';
import type { RelPath } from '../types.js';
import { isLiteral, unescapeGlob } from './patterns.js';
import { type OutputEntry, storeBlob } from './store.js';

export type Capture =
  | { kind: 'captured'; outputs: OutputEntry[]; bytes: number }
  /** Patterns that named no regular file after the job: each as the job's output it stands for. */
  | { kind: 'missing'; missing: string[] };

export interface CaptureScope {
  /** The tree the job ran in. */
  root: string;
  stateDir: string;
}

/** Captures the files `patterns` (a job's, jobOutputPatterns) name under `scope.root`. */
export function captureOutputs(scope: CaptureScope, patterns: readonly string[]): Capture {
  const found = new Map<RelPath, fs.Stats>();
  const missing: string[] = [];
  for (const pattern of patterns) {
    const matched = isLiteral(pattern) ? literalFile(scope.root, unescapeGlob(pattern)) : globFiles(scope, pattern);
    if (matched.length === 0) missing.push(isLiteral(pattern) ? unescapeGlob(pattern) : pattern);
    for (const [rel, st] of matched) found.set(rel, st);
  }
  if (missing.length > 0) return { kind: 'missing', missing };
  const outputs: OutputEntry[] = [];
  let bytes = 0;
  for (const [rel, st] of [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    let data: Buffer;
    try {
      data = fs.readFileSync(path.join(scope.root, rel));
    } catch (err) {
      // Gone since it was listed: the tool's own doing (a process it left behind), so still a missing output.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing', missing: [rel] };
      throw err;
    }
    const digest = storeBlob(scope.stateDir, data);
    outputs.push({ path: rel, mode: st.mode & 0o777, digest, size: data.length });
    bytes += data.length;
  }
  return { kind: 'captured', outputs, bytes };
}

/** The file at `rel` when it is a regular file (a symlink to one counts: its content is what a reader gets). */
function literalFile(root: string, rel: string): [RelPath, fs.Stats][] {
  const st = fs.statSync(path.join(root, rel), { throwIfNoEntry: false });
  return st?.isFile() === true ? [[rel as RelPath, st]] : [];
}

/** The regular files under the glob's base that it matches; never .git or the state directory. */
function globFiles(scope: CaptureScope, glob: string): [RelPath, fs.Stats][] {
  const matches = compileGlobs([glob]);
  const out: [RelPath, fs.Stats][] = [];
  const stateDir = path.resolve(scope.stateDir);
  const walk = (rel: string): void => {
    const abs = path.join(scope.root, rel);
    if (abs === stateDir) return;
    let names: string[];
    try {
      names = fs.readdirSync(abs);
    } catch {
      return; // no such directory: nothing under it matched
    }
    for (const name of names) {
      if (name === '.git') continue;
      const child = rel === '' ? name : `${rel}/${name}`;
      const st = fs.statSync(path.join(scope.root, child), { throwIfNoEntry: false });
      if (st === undefined) continue;
      if (st.isDirectory()) walk(child);
      else if (st.isFile() && matches(child)) out.push([child as RelPath, st]);
    }
  };
  walk(unescapeGlob(globBase(glob)));
  return out;
}
