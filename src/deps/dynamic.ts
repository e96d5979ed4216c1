// Dependencies a job reports by running (a depfile it writes, the files it
// opens under strace): recorded with their identities after the job, and
// identified again at the next plan, where any difference makes the job stale.
import fs from 'node:fs';
import path from 'node:path';
import { type FileEntry, type JobResult, UNKNOWN_DEPS, decodeDeps, digestEntries } from '../manifest/index.js';
import type { JobDeps } from '../plan/index.js';
import { portablePath, resolvePortable } from '../portable-path.js';
import { treePath } from '../tree-path.js';
import type { RelPath } from '../types.js';

export interface Identify {
  sourceTree: string;
  files: ReadonlyMap<RelPath, FileEntry>;
  /** The identity of a file runner does not track (outside the tree, or untracked in it): its content (externalIdentity). */
  externalId: (abs: string) => string;
}

/** Kernel and device files a traced job touches say nothing about its result. */
const IGNORED = ['/proc/', '/sys/', '/dev/'];

/**
 * [path, identity] for each path a job reported: tracked files by digest, others by `externalId`;
 * paths in the tree relative to it, those below `home` (the job's HOME) as `~/x`, so another checkout
 * or user names them alike (portable-path.ts).
 */
export function identifyPaths(
  paths: readonly string[],
  own: RelPath,
  skipDir: string,
  o: Identify,
  home?: string,
): [string, string][] {
  const entries = new Map<string, string>();
  for (const p of paths) {
    const abs = path.resolve(o.sourceTree, p);
    if (abs === skipDir || abs.startsWith(skipDir + path.sep) || IGNORED.some((d) => abs.startsWith(d))) continue;
    const rel = treePath(o.sourceTree, abs);
    if (rel === own) continue; // its content is in the fingerprint already
    const tracked = rel !== null ? o.files.get(rel) : undefined;
    if (rel !== null && tracked !== undefined) {
      entries.set(rel, tracked.digest);
      continue;
    }
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (st === undefined || !st.isFile()) continue; // a directory, a vanished temp file: not an input
    entries.set(rel ?? portablePath(abs, { sourceTree: o.sourceTree, home }), o.externalId(abs));
  }
  return [...entries];
}

/** The dependencies the job's last result recorded, identified as they are now (`home`: the job's HOME, for `~/x`). */
export function recordedDeps(
  latest: JobResult | undefined,
  source: 'depfile' | 'trace',
  o: Identify,
  home?: string,
): JobDeps | null {
  if (latest === undefined) return null; // never ran: stale anyway
  if (latest.depsDigest === UNKNOWN_DEPS || latest.deps === '') {
    const entries: [string, string][] = [[`<no ${source} from the last run>`, 'unknown']];
    return { digest: digestEntries(entries), entries };
  }
  const entries = decodeDeps(latest.deps).map(([p, _was]): [string, string] => {
    if (path.isAbsolute(p)) return [p, o.externalId(p)];
    const tracked = o.files.get(p as RelPath);
    if (tracked !== undefined) return [p, tracked.digest];
    // Below HOME (a tracked `~` directory in the tree, were there one, is found above).
    if (p === '~' || p.startsWith('~/'))
      return [p, o.externalId(resolvePortable(p, { sourceTree: o.sourceTree, home }))];
    return [p, o.externalId(path.join(o.sourceTree, p))];
  });
  return { digest: digestEntries(entries), entries };
}
