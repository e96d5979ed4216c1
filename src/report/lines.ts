// Turns job events into text: one line per finished job when not on a
// terminal (or -v, or TERM=dumb), failures with their log always, printed
// above a live progress bar on stderr when that is a terminal.
import type { UnresolvedImport } from '../deps/index.js';
import { type JobEnd, SPAWN_ERROR } from '../job-end.js';
import type { JobReport, Reporter } from '../reporter.js';
import { type ScanIssue, isReadProblem } from '../scan/index.js';
import { type RelPath, assertNever } from '../types.js';
import { describeBytes, readLogTail } from './log-tail.js';
import { ProgressLine } from './progress.js';
import { briefReasons, describeReason } from './reasons.js';
import { type Style, dim, green, plainText, red, seconds, shown, yellow } from './style.js';
import type { Stream } from './stream.js';
import { renderUnresolvedImports } from './unresolved.js';

export interface TextOptions extends Style {
  out: Stream;
  err: Stream;
  /** A live progress bar on err (a terminal, not TERM=dumb, not --quiet): the only escape sequences runner writes besides colour. */
  progress: boolean;
  /** A line for every finished job, passes too (out is not a terminal, no progress bar, or -v). */
  everyJob: boolean;
  quiet: boolean;
  verbose: boolean;
  /** --json: stdout is the JSON's; only warnings go out, on stderr. */
  json: boolean;
}

/** Lines of a failure's log shown inline; the rest is in the file. */
const LOG_TAIL_LINES = 200;
/** Bytes of a failure's log read for the excerpt: a log of any size, or one endless line, shows at most this much. */
export const LOG_TAIL_BYTES = 32 * 1024;

export function logExcerpt(style: Style, file: string | null): string {
  if (file === null) return '  (no output)\n';
  const tail = readLogTail(file, LOG_TAIL_BYTES);
  if (tail === null) return `  (log missing: ${shown(style, file)})\n`;
  // The tool's colours help on a terminal; in a CI log or a pipe they are noise.
  const lines = (style.color ? tail.text : plainText(tail.text)).split('\n');
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
    case 'exit': return `exit ${end.code}`;
    case 'signal': return `killed by ${end.signal}`;
    case 'timeout': return `timed out after ${seconds(durationMs)}`;
    case 'spawn-error': return 'could not start';
    case 'interrupted': return `interrupted after ${seconds(durationMs)}`;
    default: return assertNever(end);
  }
}

export function describeEnd(j: JobReport): string {
  // Every job that ran has an end; one without reads as a job that never started, as it always has.
  const how = describeHow(j.end ?? SPAWN_ERROR, j.durationMs);
  if (j.status === 'cached-failure') {
    const when = j.finishedAt === null ? '' : `, ran ${new Date(j.finishedAt).toLocaleString()}`;
    return `cached failure, ${how}${when}; --rerun-failed runs it again`;
  }
  if (j.status === 'passed') return seconds(j.durationMs);
  // These two say their time already.
  if (j.end?.kind === 'timeout' || j.end?.kind === 'interrupted') return how;
  return `${how}, ${seconds(j.durationMs)}`;
}

export class TextReporter implements Reporter {
  private readonly progress: ProgressLine | null;

  constructor(private readonly o: TextOptions) {
    this.progress = o.progress && !o.json ? new ProgressLine(o.err) : null;
  }

  private say(stream: Stream, text: string): void {
    this.progress?.clear();
    stream.write(text);
    this.progress?.draw();
  }

  scanProgress(visited: number, hashed: number): void {
    this.progress?.scanning(visited, hashed);
  }

  scanIssue(issue: ScanIssue): void {
    const what = isReadProblem(issue) ? `${issue.kind}; its jobs are not checked` : issue.kind;
    this.say(this.o.err, `runner: warning: ${issue.path}: ${issue.detail} (${what})\n`);
  }

  warning(message: string): void {
    this.say(this.o.err, `runner: warning: ${message}\n`);
  }

  unresolvedImports(found: readonly UnresolvedImport[]): void {
    this.say(this.o.err, renderUnresolvedImports(found).join(''));
  }

  planned(counts: { jobs: number; stale: number }): void {
    this.progress?.start(counts.stale);
  }

  jobStarted(tool: string, path: RelPath): void {
    this.progress?.started(`${tool} ${path}`);
    if (this.o.verbose && !this.o.json && !this.o.quiet) this.say(this.o.out, dim(this.o, `start ${tool} ${path}\n`));
  }

  jobFinished(j: JobReport): void {
    if (j.status !== 'cached-failure' && j.status !== 'unreadable') this.progress?.finished(`${j.tool} ${j.path}`, j.status === 'failed');
    if (this.o.json) return;
    if (j.status === 'unreadable') {
      this.say(this.o.out, `${red(this.o, 'UNREADABLE')} ${j.tool} ${j.path} (${j.reasons.map(describeReason).join('; ')})\n`);
      return;
    }
    const failed = j.status === 'failed' || j.status === 'cached-failure';
    const why = this.o.verbose && j.reasons.length > 0 ? ` [${briefReasons(j.reasons)}]` : '';
    if (failed) {
      this.say(this.o.out, `${red(this.o, 'FAIL')} ${j.tool} ${j.path} (${describeEnd(j)})${why}\n${logExcerpt(this.o, j.log)}`);
    } else if (j.status === 'interrupted') {
      if (!this.o.quiet) this.say(this.o.out, `${yellow(this.o, 'STOP')} ${j.tool} ${j.path} (${describeEnd(j)})\n`);
    } else if (!this.o.quiet && this.o.everyJob) {
      this.say(this.o.out, `${green(this.o, 'PASS')} ${j.tool} ${j.path} (${describeEnd(j)})${why}\n`);
    }
  }

  waitingForRunner(holder: { pid: number | null; stateDir: string }): void {
    this.say(this.o.err, `runner: waiting for another runner${holder.pid === null ? '' : ` (pid ${holder.pid})`} using ${holder.stateDir}\n`);
  }

  /** Removes the progress bar (before the summary, and on every way out) and shows the cursor again. */
  close(): void {
    this.progress?.stop();
  }
}
