// The --junit output as a consumer of the library's events: writes the JUnit
// report when the run finishes (not in a dry run: nothing ran). A file that
// cannot be written is kept as `error`, for the CLI to raise after the
// summary: the results are recorded, and the user should see them first.
import type { RunnerEvent } from '../api/events.js';
import { assertNever } from '../types.js';
import { stagedPathRewrite } from '../staged-path.js';
import type { LogTail } from './log-tail.js';
import { readLogTail, renderJunit, writeReportFile } from './junit.js';
import type { Style } from './style.js';

export class JunitOutput {
  /** The file, once written; null before the run finishes, in a dry run, or when writing it failed. */
  written: string | null = null;
  /** Why the file could not be written, if it could not. */
  error: unknown = null;
  /** Logs show the source tree's paths where a job ran in a staged tree. */
  private shownPaths: (text: string) => string = (text) => text;

  constructor(
    private readonly style: Style,
    private readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  emit(e: RunnerEvent): void {
    switch (e.type) {
      case 'staged-roots':
        this.shownPaths = stagedPathRewrite(e.roots);
        return;
      case 'run-finished':
        if (e.report.dryRun) return;
        try {
          const readLog = (file: string): LogTail | null => {
            const tail = readLogTail(file);
            return tail === null ? null : { ...tail, text: this.shownPaths(tail.text) };
          };
          writeReportFile('--junit', this.file, renderJunit(this.style, e.report, this.now(), readLog));
          this.written = this.file;
        } catch (err) {
          this.error = err;
        }
        return;
      // Only the finished run is reported: a job's own events are in the report it carries.
      case 'scan-progress':
      case 'scan-path':
      case 'scan-issue':
      case 'warning':
      case 'unresolved-imports':
      case 'waiting-for-runner':
      case 'planned':
      case 'job-started':
      case 'chunk-started':
      case 'chunk-finished':
      case 'narrowing-stopped':
      case 'job-finished':
      case 'cached-failure':
      case 'fresh-listed':
      case 'remote-hit':
      case 'job-unchecked':
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
}
