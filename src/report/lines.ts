// The words for one job in the terminal: how it ended (describeEnd) and the
// end of a failure's log (logExcerpt). text-reporter.ts prints them as events
// come; summary.ts lists failures with them at the end of a run.
import type { JobReport } from '../api/run-report.js';
import { type JobEnd, SPAWN_ERROR } from '../job-end.js';
import { assertNever } from '../types.js';
import { describeBytes, readLogTail } from './log-tail.js';
import { type Style, plainText, seconds, shown } from './style.js';

/** Lines of a failure's log shown inline; the rest is in the file. */
const LOG_TAIL_LINES = 200;
/** Bytes of a failure's log read for the excerpt: a log of any size, or one endless line, shows at most this much. */
export const LOG_TAIL_BYTES = 32 * 1024;

/** `shownPaths`: rewrites what the tail names (a staged tree's paths, as the source tree's). */
export function logExcerpt(style: Style, file: string | null, shownPaths: (text: string) => string = (t) => t): string {
  if (file === null) return '  (no output)\n';
  const tail = readLogTail(file, LOG_TAIL_BYTES);
  if (tail === null) return `  (log missing: ${shown(style, file)})\n`;
  // The tool's colours help on a terminal; in a CI log or a pipe they are noise.
  const text = shownPaths(tail.text);
  const lines = (style.color ? text : plainText(text)).split('\n');
  if (lines.at(-1) === '') lines.pop();
  // A cut inside a line shows that line's end: it still says "..." first.
  const dropped = Math.max(0, lines.length - LOG_TAIL_LINES);
  const kept = lines.slice(dropped);
  let head = '';
  if (tail.omitted > 0) {
    const size = tail.omitted + Buffer.byteLength(tail.text);
    head = `  | ... (only the end of this ${describeBytes(size)} log is shown; the full log is ${shown(style, file)})\n`;
  } else if (dropped > 0) {
    head = `  | ... (${dropped} earlier lines in the log)\n`;
  }
  return head + kept.map((l) => `  | ${l}\n`).join('') + `  log: ${shown(style, file)}\n`;
}

/** How a job ended, in the terminal's words: the one place text renders a JobEnd. */
export function describeHow(end: JobEnd, durationMs: number | null): string {
  switch (end.kind) {
    case 'exit':
      return `exit ${end.code}`;
    case 'signal':
      return `killed by ${end.signal}`;
    case 'timeout':
      return `timed out after ${seconds(durationMs)}`;
    case 'spawn-error':
      return 'could not start';
    case 'interrupted':
      return `interrupted after ${seconds(durationMs)}`;
    default:
      return assertNever(end);
  }
}

export function describeEnd(j: JobReport): string {
  // Every job that ran has an end; one without reads as a job that never started, as it always has.
  const ended = describeHow(j.end ?? SPAWN_ERROR, j.durationMs);
  // A job that exited 0 fails only when it left a declared output unwritten (its log names which).
  const how =
    j.end?.kind === 'exit' && j.end.code === 0 && (j.status === 'failed' || j.status === 'cached-failure')
      ? `${ended}, but an output it declares is missing`
      : ended;
  if (j.status === 'cached-failure') {
    const when = j.finishedAt === null ? '' : `, ran ${new Date(j.finishedAt).toLocaleString()}`;
    return `cached failure, ${how}${when}; --rerun-failed runs it again`;
  }
  if (j.status === 'passed') return seconds(j.durationMs);
  // These two say their time already.
  if (j.end?.kind === 'timeout' || j.end?.kind === 'interrupted') return how;
  return `${how}, ${seconds(j.durationMs)}`;
}
