// What scan(), explain() and deps() return: the library's answers that the
// report/ renderers read. Types only, so that report/ need not import api.ts.
import type { PlaceNamed } from '../cache/index.js';
import type { DirectDeps } from '../deps/index.js';
import type { JobResult } from '../manifest/index.js';
import type { StaleReason } from '../plan/index.js';
import type { RelPath } from '../types.js';
import type { DepsScanSummary, ScanSummary } from './run-report.js';

export interface ScanReport {
  scan: ScanSummary;
  /** Import scanning for deps kinds that read imports. */
  deps: DepsScanSummary;
  tools: string[];
  stale: { tool: string; path: RelPath; reasons: StaleReason[] }[];
  durationMs: number;
}

export interface ToolExplanation {
  tool: string;
  state: 'fresh' | 'stale' | 'cached-failure' | 'not-selected';
  reasons: StaleReason[];
  last: JobResult | null;
  /**
   * How many kept results share `last`'s log (a batch tool's files judged
   * by one process share its output, linked under each result's name): over 1,
   * the file was judged in a process with others. Null without a log; it
   * counts down as the other files' results leave the history.
   */
  lastLogShares: number | null;
  /**
   * Imports that resolve nowhere in the job's dependency closure (python and
   * javascript graphs), each with the import chain from the file to it: the
   * job depends on them staying unresolved, fresh or stale alike.
   */
  unresolved: { name: string; via: string[] }[];
  /** What in the job's key cannot be shared with another machine or checkout (cache/shareable.ts); [] when all can. */
  unshareable: string[];
  /**
   * Dependencies outside the source tree, grouped as the key names them (by absolute path, or below
   * HOME): another machine shares the result only with the same files under the same names.
   */
  namedByPlace: PlaceNamed[];
  /** HOME as the tools see it, which `~/` names in namedByPlace start from. */
  home: string | null;
}

export interface Explanation {
  file: RelPath;
  tracked: boolean;
  /** Why the file is not tracked, when it is not. */
  untracked: string | null;
  tools: ToolExplanation[];
}

export interface DepsReport {
  file: RelPath;
  /** null when no tool declares a deps kind whose graph runner knows before running. */
  kind: 'python' | 'javascript' | null;
  direct: DirectDeps | null;
  /** Every transitive dependency: tracked files, then outside files, then unresolved names (as "?name"). */
  transitive: string[];
  dependents: RelPath[];
  /** Tools whose jobs report their own dependencies: what the file's last run recorded (null: none known). */
  recorded: { tool: string; kind: 'depfile' | 'trace'; deps: string[] | null }[];
}
