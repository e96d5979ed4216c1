// What an import resolves to, the same for every language: a tracked file,
// a file runner does not track, or nothing yet.
import { treePath } from '../tree-path.js';
import type { RelPath } from '../types.js';

export type ImportDep =
  | { kind: 'file'; path: RelPath }
  /** Outside the source tree, or inside it but not tracked: an absolute path. */
  | { kind: 'external'; path: string }
  /** Nothing provides it (yet): creating it later re-runs the importer. */
  | { kind: 'unresolved'; name: string };

/** The part of the file system view every resolver has. */
export interface TreeView {
  sourceTree: string;
  isTracked(rel: RelPath): boolean;
}

/** A found file as a dependency: tracked files by their path in the tree, anything else by absolute path. */
export function fileDep(abs: string, r: TreeView): ImportDep {
  const rel = treePath(r.sourceTree, abs);
  if (rel !== null && rel !== '' && r.isTracked(rel)) return { kind: 'file', path: rel };
  return { kind: 'external', path: abs };
}
