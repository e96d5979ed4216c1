// The view of the file system JavaScript resolution reads through: what
// exists, what is tracked, package.json and tsconfig.json contents, real
// paths. An interface only; the graph passes the disk, tests in-memory sets.
import type { RelPath } from '../types.js';

/** The file system as resolution sees it; tests pass in-memory sets. */
export interface JsResolver {
  sourceTree: string;
  isTracked(rel: RelPath): boolean;
  exists(abs: string): 'file' | 'dir' | null;
  /**
   * A package.json or tsconfig.json, parsed; null when missing or not JSON.
   * tsconfig.json allows comments and trailing commas: parse with parseJsonc().
   * Called again for the same package.json and tsconfig files, so cache it.
   */
  readJson(abs: string): unknown | null;
  /**
   * abs with the symlinks below the source tree resolved (see
   * RecordingFs.realpath): a workspace package linked into node_modules is
   * the tracked file behind the link. Absent: every path is taken as real.
   */
  realpath?(abs: string): string;
  /** The directories in abs (symlinks to directories too), sorted; null when it is no directory. Absent: none. */
  subdirectories?(abs: string): string[] | null;
}
