// A tool's `outputs` as each job sees them: `{file}` replaced by the job's
// file (its glob characters escaped, so `[id].tsx` names itself), and, for
// the tool's file filter, whether a path is an output of any of its jobs.
import { compileGlobs, compileTemplate } from '../scan/index.js';

/** The placeholder a command, a depfile and an output share (exec/command.ts). */
export const FILE_MARK = '{file}';

/** Glob characters picomatch reads in a pattern; a file's own name must not be read as one. */
const GLOB_CHARS = /[*?[\]{}()!+@\\]/g;

/** `file` as a glob that matches exactly it. */
export function escapeGlob(file: string): string {
  return file.replace(GLOB_CHARS, '\\$&');
}

/** The job's output patterns: each of the tool's, `{file}` replaced by the job's file. */
export function jobOutputPatterns(outputs: readonly string[], file: string): string[] {
  return outputs.map((o) => normalize(o.replaceAll(FILE_MARK, escapeGlob(file))));
}

/**
 * Whether a path is an output of one of the tool's jobs: a match of one of its
 * outputs with `{file}` a file the tool takes (`isJobFile`), or of one without
 * `{file}` (every job's). A tool's own outputs are never its jobs, so a tool
 * taking `**\/*` that writes `{file}.o` does not run on a.c.o, then a.c.o.o,
 * for ever; another tool may take them (a real dependency).
 */
export function ownOutputMatcher(
  outputs: readonly string[],
  isJobFile: (rel: string) => boolean,
): ((rel: string) => boolean) | null {
  if (outputs.length === 0) return null;
  const templates = outputs.map((o) => compileTemplate(normalize(o), FILE_MARK));
  const plain = compileGlobs(outputs.filter((o) => !o.includes(FILE_MARK)).map(normalize));
  return (rel) =>
    plain(rel) ||
    templates.some((t) => {
      const file = t(rel);
      return file !== null && file !== rel && isJobFile(file);
    });
}

/** Whether `rel` is a file the job's output pattern (jobOutputPatterns) names, as captureOutputs would find it. */
export function namesOutput(pattern: string, rel: string): boolean {
  return isLiteral(pattern) ? unescapeGlob(pattern) === rel : compileGlobs([pattern])(rel);
}

/** Whether a pattern (once substituted) names one file rather than matching many. */
export function isLiteral(pattern: string): boolean {
  return !/(?<!\\)[*?[\]{}()!+@]/.test(pattern);
}

/** A literal pattern's path: its escapes taken away. */
export function unescapeGlob(pattern: string): string {
  return pattern.replace(/\\(.)/g, '$1');
}

/** Without a leading "./": paths relative to the source tree are written without one. */
function normalize(p: string): string {
  return p.startsWith('./') ? p.slice(2) : p;
}
