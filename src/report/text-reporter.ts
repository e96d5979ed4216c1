// Turns the library's events into text: one line per finished job when not on
// a terminal (or -v, or TERM=dumb), failures with their log always, printed
// above a live progress bar on stderr when that is a terminal, and the run's
// summary when it finishes. One switch over every event (a watch's own are
// cli/cycle-reporter.ts's).
import type { RunnerEvent } from '../api/events.js';
import type { JobReport, RunReport } from '../api/run-report.js';
import { isReadProblem } from '../scan/index.js';
import { stagedPathRewrite } from '../staged-path.js';
import { assertNever } from '../types.js';
import { renderNothingStaged } from './hook.js';
import { chunkLabel, describeChunk, sharedJudgement } from './chunks.js';
import { githubFailure, repositoryPrefix } from './github.js';
import { describeEnd, describeHow, logExcerpt } from './lines.js';
import { ProgressLine } from './progress.js';
import { briefReasons, describeReason } from './reasons.js';
import { type Style, dim, green, red, yellow } from './style.js';
import type { Stream } from './stream.js';
import { renderIssueWarning, renderRunSummary } from './summary.js';
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
  /** Under GitHub Actions: each failure also as an `::error` annotation, its log in a `::group::` (github.ts). */
  github?: boolean;
  /** GITHUB_WORKSPACE: the checkout an annotation's file is relative to. */
  githubWorkspace?: string;
}

/** What -v says of each way the scan took. */
const SCAN_PATHS = {
  walk: 'walked the tree',
  watchman: 'asked watchman',
  settled: 'found the tree as the last run left it',
  stats: 'found every listing as stored and looked again only at the files whose stats changed',
} as const;

export class TextReporter {
  private readonly progress: ProgressLine | null;
  /** Logs show the source tree's paths where a job ran in a staged tree. */
  private shownPaths: (text: string) => string = (text) => text;
  /** The source tree's place in the repository (`sub/dir/`, or ''): an annotation names a file from the repository's root. */
  private repositoryPrefix = '';

  constructor(private readonly o: TextOptions) {
    this.progress = o.progress && !o.json ? new ProgressLine(o.err) : null;
  }

  emit(e: RunnerEvent): void {
    switch (e.type) {
      case 'scan-progress':
        return this.progress?.scanning(e.visited, e.hashed);
      case 'scan-path':
        if (this.verbose()) this.say(this.o.out, dim(this.o, `scan ${SCAN_PATHS[e.how]} (${e.reason})\n`));
        return;
      case 'scan-issue': {
        const what = isReadProblem(e.issue) ? `${e.issue.kind}; its jobs are not checked` : e.issue.kind;
        return this.say(this.o.err, `runner: warning: ${e.issue.path}: ${e.issue.detail} (${what})\n`);
      }
      case 'warning':
        return this.say(this.o.err, `runner: warning: ${e.message}\n`);
      case 'unresolved-imports':
        return this.say(this.o.err, renderUnresolvedImports(e.found).join(''));
      case 'waiting-for-runner':
        return this.say(
          this.o.err,
          `runner: waiting for another runner${e.pid === null ? '' : ` (pid ${e.pid})`} using ${e.stateDir}\n`,
        );
      case 'planned':
        return this.progress?.start(e.stale);
      case 'job-started':
        // A batch tool's file is in flight as part of its chunk (chunk-started): the bar names the chunk.
        if (e.chunk === undefined) this.progress?.started(`${e.tool} ${e.path}`);
        if (this.verbose()) this.say(this.o.out, dim(this.o, `start ${e.tool} ${e.path}\n`));
        return;
      case 'chunk-started':
        this.progress?.started(chunkLabel(e.tool, e.chunk));
        if (this.verbose()) this.say(this.o.out, dim(this.o, `start ${describeChunk(e.chunk)}\n`));
        return;
      case 'chunk-finished':
        this.progress?.ended(chunkLabel(e.tool, e.chunk));
        if (e.narrowing && this.verbose())
          this.say(
            this.o.out,
            dim(this.o, `narrow ${e.chunk.id} (${describeHow(e.end, e.durationMs)}): its halves run next\n`),
          );
        return;
      case 'narrowing-stopped': {
        if (!this.verbose()) return;
        const { stop, unjudged } = e;
        const why =
          stop.kind === 'budget'
            ? 'its budget (the tool\'s "narrowing")'
            : "a dense failure: the first file failed alone, all the others together printed the chunk's own output";
        return this.say(
          this.o.out,
          dim(
            this.o,
            `narrowing of ${e.chunk} stopped after ${stop.processes} ${stop.processes === 1 ? 'process' : 'processes'} (${why}): ${unjudged} ${unjudged === 1 ? 'file fails' : 'files fail'} unjudged and ${unjudged === 1 ? 'runs' : 'run'} again next time\n`,
          ),
        );
      }
      case 'job-finished':
        this.progress?.finished(`${e.job.tool} ${e.job.path}`, e.job.status === 'failed');
        return this.jobLine(e.job);
      // Said before anything runs: no progress to count.
      case 'cached-failure':
        return this.jobLine(e.job);
      // A stale job the plan counted, done without running: the bar counts it.
      case 'remote-hit':
        this.progress?.finished(`${e.job.tool} ${e.job.path}`, e.job.status !== 'passed');
        return this.jobLine(e.job);
      case 'job-unchecked':
        if (this.o.json) return;
        return this.say(
          this.o.out,
          `${red(this.o, 'UNREADABLE')} ${e.job.tool} ${e.job.path} (${e.job.reasons.map(describeReason).join('; ')})\n`,
        );
      case 'staged-roots':
        this.shownPaths = stagedPathRewrite(e.roots);
        if (this.o.github === true) this.repositoryPrefix = repositoryPrefix(e.sourceTree, this.o.githubWorkspace);
        return;
      case 'run-finished':
        return this.finish(e.report);
      // The caller's exit paths (cli/cleanup.ts), a watch's cycles (cli/cycle-reporter.ts) and the timing --trace
      // draws (trace.ts) are not this reporter's.
      // The fresh jobs' lines are the listing's (--json, --junit), not the terminal's.
      case 'fresh-listed':
      case 'tokens-held':
      case 'staged-tree-made':
      case 'cycle-started':
      case 'cycle-finished':
      case 'config-rejected':
      case 'cycle-failed':
      case 'watcher-error':
      case 'phase-started':
      case 'phase-finished':
      case 'token-wait-started':
      case 'token-wait-finished':
        return;
      default:
        return assertNever(e);
    }
  }

  private verbose(): boolean {
    return this.o.verbose && !this.o.json && !this.o.quiet;
  }

  private say(stream: Stream, text: string): void {
    this.progress?.clear();
    stream.write(text);
    this.progress?.draw();
  }

  /** A job that ran, or a cached failure: failures always, with their log; passes only with everyJob. */
  private jobLine(j: JobReport): void {
    if (this.o.json) return;
    const failed = j.status === 'failed' || j.status === 'cached-failure';
    const why = this.o.verbose && j.reasons.length > 0 ? ` [${briefReasons(j.reasons)}]` : '';
    if (failed) {
      const shared = sharedJudgement(j);
      const headline = `${j.tool} ${j.path} (${describeEnd(j)})${why}`;
      const body = `${shared === null ? '' : `  (${shared})\n`}${logExcerpt(this.o, j.log, this.shownPaths)}`;
      this.say(
        this.o.out,
        this.o.github === true
          ? githubFailure(j, `FAIL ${headline}`, body, this.shownPaths, this.repositoryPrefix)
          : `${red(this.o, 'FAIL')} ${headline}\n${body}`,
      );
    } else if (j.status === 'interrupted') {
      if (!this.o.quiet) this.say(this.o.out, `${yellow(this.o, 'STOP')} ${j.tool} ${j.path} (${describeEnd(j)})\n`);
    } else if (!this.o.quiet && this.o.everyJob) {
      this.say(this.o.out, `${green(this.o, 'PASS')} ${j.tool} ${j.path} (${describeEnd(j)})${why}\n`);
    }
  }

  /** The run is over: the bar goes, what could not be read is said on stderr, and (not with --json) the summary. */
  private finish(r: RunReport): void {
    this.close();
    this.o.err.write(renderIssueWarning(r.scan));
    if (this.o.json) return;
    this.o.out.write(r.staged?.length === 0 ? renderNothingStaged() : renderRunSummary(this.o, r));
  }

  /** Removes the progress bar (before the summary, and on every way out) and shows the cursor again. */
  close(): void {
    this.progress?.stop();
  }
}
