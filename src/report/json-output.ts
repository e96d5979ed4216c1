// The --json output as a consumer of the library's events: one object when a
// run finishes, and one per line for each watch cycle that finishes or stops
// on an error. Nothing else reaches stdout under --json.
import type { RunnerEvent } from '../api/events.js';
import type { JobReport, RunReport } from '../api/run-report.js';
import { assertNever } from '../types.js';
import { jobJsonText, runJson } from './json.js';
import type { JunitOutput } from './junit-output.js';
import { type Style, shownFiles } from './style.js';
import type { Stream } from './stream.js';
import { watchCycleJson, watchErrorJson } from './watch.js';

export interface JsonOutputOptions {
  style: Style;
  out: Stream;
  /** The exit code `run` ends a report with (cli/exit-codes.ts knows the numbers). */
  exitCode: (r: RunReport) => number;
  /** --junit: the JSON names the report written; when it could not be written, the error is the output instead. */
  junit?: Pick<JunitOutput, 'written' | 'error'> | null;
}

export class JsonOutput {
  /** Jobs rendered while the run went on (fresh-listed): the report's same objects, as runJson would write them. */
  private readonly rendered = new Map<JobReport, string>();

  constructor(private readonly o: JsonOutputOptions) {}

  emit(e: RunnerEvent): void {
    const { style, out, exitCode, junit } = this.o;
    switch (e.type) {
      case 'run-finished': {
        const text =
          junit != null && junit.error !== null
            ? null
            : runJson(style, e.report, exitCode(e.report), junit?.written ?? null, this.rendered);
        this.rendered.clear();
        if (text !== null) out.write(text);
        return;
      }
      // Rendered now, while the stale jobs run, rather than after them.
      case 'fresh-listed': {
        const logs = shownFiles(style);
        for (const j of e.jobs) this.rendered.set(j, jobJsonText(style, j, logs));
        return;
      }
      case 'cycle-finished':
        this.rendered.clear();
        return void out.write(watchCycleJson(style, e.cycle, exitCode(e.cycle.report)));
      case 'cycle-failed':
        this.rendered.clear();
        return void out.write(watchErrorJson(e.cycle, e.error));
      // Said on stderr by the text reporter, or carried by the report at the end.
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
      case 'remote-hit':
      case 'job-unchecked':
      case 'tokens-held':
      case 'staged-tree-made':
      case 'staged-roots':
      case 'cycle-started':
      case 'config-rejected':
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
