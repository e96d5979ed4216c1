// The plan's input, built once per plan in this one place: after the scan
// (files, new files, what could not be read) and after the dependencies are
// known (depsOf), with the caller's selection. Nothing changes it afterwards.
import fs from 'node:fs';
import { FileTable, logFileName } from '../manifest/index.js';
import { outputsState } from '../outputs/index.js';
import type { DepsOf, PlanInput } from '../plan/index.js';
import type { Session } from '../session.js';
import type { RelPath } from '../types.js';
import { logsDir } from '../state-dir.js';
import type { Scanned } from './scan-and-save.js';

/** What a caller narrows a plan to, or forces in it. */
export type PlanSelection = Pick<PlanInput, 'force' | 'rerunFailed' | 'onlyTools' | 'onlyFile' | 'listFresh'>;

/** What the plan reads: the scanned tree's files and tools, the jobs' dependencies, and the manifest's results and latches. */
export function planInputOf(
  s: Pick<Session, 'manifest' | 'stateDir'>,
  scanned: Pick<Scanned, 'tree' | 'newFiles' | 'unreadable'>,
  depsOf: DepsOf,
  selection: PlanSelection = {},
): PlanInput {
  const { tree } = scanned;
  const files = tree.files;
  let logged: Set<string> | null = null; // read only if some result has a log to check
  const isLogged = (name: string): boolean => (logged ??= loggedNames(s)).has(name);
  return {
    tools: tree.tools,
    toolFilters: tree.filters,
    files: tree.files,
    ...(files instanceof FileTable ? { digestOf: (p: RelPath) => files.digestOf(p) } : {}),
    newFiles: scanned.newFiles,
    unreadable: scanned.unreadable,
    history: (tool, p) => s.manifest.history(tool, p),
    latest: (tool, p) => s.manifest.latest(tool, p),
    latestHolds: (tool, p, latchId, digest, depsDigest) =>
      s.manifest.latestHolds(tool, p, { latchId, digest, depsDigest }, isLogged),
    latchOf: (r) => s.manifest.latch(r.latchId),
    hasLog: (r) => !r.hasLog || isLogged(logFileName(r)),
    // A tracked output's digest is the scan's: only an output the walk leaves out is read again.
    outputsOf: (r) =>
      outputsState(
        { root: tree.root, stateDir: s.stateDir, knownDigest: (rel) => tree.files.get(rel)?.digest },
        r.fingerprint,
      ),
    depsOf,
    ...selection,
  };
}

/** The logs on disk: one readdir, not one stat per job. */
function loggedNames(s: Pick<Session, 'stateDir'>): Set<string> {
  try {
    return new Set(fs.readdirSync(logsDir(s.stateDir)));
  } catch {
    return new Set();
  }
}
