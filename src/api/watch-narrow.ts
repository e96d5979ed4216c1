// Which jobs a watch cycle plans: only those of the files its batch named,
// when the batch can be trusted to name every change and no other job can
// have changed; else every job (null). A plan of 100,000 jobs per edit was
// most of the time from the end of the quiet period to the job's start
// (issue 17, point 3). Reads the batch and the tree; lstat of the paths named.
import fs from 'node:fs';
import path from 'node:path';
import type { LatchedTool } from '../config/index.js';
import type { RelPath } from '../types.js';
import type { ScanSummary } from './run-report.js';
import type { TreeView } from './tree-view.js';
import type { Outlook } from './watch-outlook.js';

export interface NarrowCase {
  /** The changed paths the watcher reported (files or directories). */
  paths: ReadonlySet<RelPath>;
  tree: Pick<TreeView, 'root' | 'files'>;
  summary: ScanSummary;
  tools: readonly LatchedTool[];
  /** What the last cycle left. */
  prior: Outlook;
  /** The whole tree was scanned, the config reloaded, a tool changed, a key asked, a recorded file changed. */
  wholePlan: boolean;
}

/** The files whose jobs alone can have changed, or null: plan every job. */
export function narrowedFiles(c: NarrowCase): ReadonlySet<RelPath> | null {
  if (c.wholePlan) return null;
  const sum = c.summary;
  // A job came or went, or cannot be checked: the whole plan counts them.
  if (sum.new > 0 || sum.removed > 0 || sum.issues.length > 0) return null;
  // A job that reads other files (imports, what a depfile or trace reported, files outside the tree re-checked
  // each cycle), or whose outputs may need putting back, can change with no change to its own file.
  if (c.tools.some((t) => t.config.deps !== 'none' || t.config.outputs.length > 0)) return null;
  // A cached failure or a job left stale is listed and counted by every cycle's report: only a plan of every job
  // has them all. With every job fresh, the jobs left out are fresh still, and counted as such.
  if (c.prior.jobs.size > 0) return null;
  const only = new Set<RelPath>();
  for (const p of c.paths) {
    if (c.tree.files.has(p)) only.add(p);
    // A directory named (its listing changed, or an event without a name): the scan read it again, and a file
    // in it that changed was not named.
    else if (fs.lstatSync(path.join(c.tree.root, p), { throwIfNoEntry: false })?.isDirectory() === true) return null;
  }
  return only;
}
