// A failure as GitHub Actions shows it: an `::error` workflow command (an
// annotation on the file, in the run's summary and the pull request) and its
// log inside `::group::`/`::endgroup::`, folded in the job's log. Text only:
// the text reporter decides when (GITHUB_ACTIONS=true) and prints it.
import path from 'node:path';
import type { JobReport } from '../api/run-report.js';
import { holdsGit } from '../config/discover.js';
import { SPAWN_ERROR } from '../job-end.js';
import { describeHow } from './lines.js';
import { readLogTail } from './log-tail.js';
import { plainText } from './style.js';

/** The end of the log an annotation quotes: its last lines, where the error usually is. */
const ANNOTATION_LINES = 20;
const ANNOTATION_BYTES = 4096;

/**
 * A command's message: % first, then CR and LF, as percent escapes; GitHub turns them back
 * ("Workflow commands for GitHub Actions"; @actions/core's escapeData).
 */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property's value (file=, title=): as a message, and `:` and `,` too, which end a value (@actions/core's escapeProperty). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** The last lines of the job's log, without terminal escapes, its paths shown as `rewrite` says; null when it has none. */
function logEnd(log: string | null, rewrite: (text: string) => string): string | null {
  if (log === null) return null;
  const tail = readLogTail(log, ANNOTATION_BYTES);
  if (tail === null) return null;
  const lines = rewrite(plainText(tail.text)).split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.length === 0 ? null : lines.slice(-ANNOTATION_LINES).join('\n');
}

/**
 * Where the source tree sits in the repository, as `sub/dir/` ('' at its root): GitHub places an
 * annotation by its path from the checkout's root, and the config (so the source tree) may sit below it.
 * The checkout is GITHUB_WORKSPACE when the tree is inside it, else the nearest directory above holding `.git`.
 */
export function repositoryPrefix(sourceTree: string, workspace: string | undefined): string {
  const inside = (top: string): string | null => {
    const rel = path.relative(top, sourceTree);
    return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)
      ? null
      : rel === ''
        ? ''
        : `${rel.split(path.sep).join('/')}/`;
  };
  if (workspace !== undefined && workspace !== '') {
    const rel = inside(path.resolve(workspace));
    if (rel !== null) return rel;
  }
  for (let dir = sourceTree; ; dir = path.dirname(dir)) {
    if (holdsGit(dir)) return inside(dir) ?? '';
    if (path.dirname(dir) === dir) return '';
  }
}

/**
 * One failure (a failed job or a cached failure): the annotation (its tool the title, how it
 * ended and the end of its log the message), then `headline` as the group's title and `body`
 * (the log excerpt the terminal shows) inside the group. `headline` is plain text: GitHub shows
 * a group's title as it is written. `rewrite`: the staged tree's paths in the log as the source
 * tree's (a commit check), as the terminal's excerpt shows them.
 */
export function githubFailure(
  j: JobReport,
  headline: string,
  body: string,
  rewrite: (text: string) => string = (text) => text,
  prefix = '',
): string {
  const how = describeHow(j.end ?? SPAWN_ERROR, j.durationMs);
  const first = j.status === 'cached-failure' ? `cached failure (${how}); not rerun: its inputs did not change` : how;
  const end = logEnd(j.log, rewrite);
  const message = end === null ? first : `${first}\n${end}`;
  return (
    `::error file=${escapeProperty(prefix + j.path)},title=${escapeProperty(j.tool)}::${escapeData(message)}\n` +
    `::group::${escapeData(headline)}\n` +
    body +
    '::endgroup::\n'
  );
}
