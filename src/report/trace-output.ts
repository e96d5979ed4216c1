// The --trace output as a consumer of the library's events: hears the run
// into a RunTrace and writes it (temp file and rename) when the run finishes;
// the CLI calls write() again on every other way out (an error, a stuck
// interrupt), so the file is there whatever happens. A dry run writes none.
import type { RunnerEvent } from '../api/events.js';
import { writeReportFile } from './junit.js';
import { RunTrace } from './trace.js';

export class TraceOutput {
  /** The file, once written; null before, in a dry run, or when writing it failed. */
  written: string | null = null;
  /** Why the file could not be written, if it could not. */
  error: unknown = null;
  private readonly trace: RunTrace;
  /** A dry run (runner's --dry-run, make -n) leaves no file. */
  private isDryRun = false;

  constructor(
    private readonly file: string,
    opts: { title: string; pid: number; now?: () => number },
  ) {
    this.trace = new RunTrace(opts.now ?? (() => performance.now()), opts.pid, opts.title);
  }

  emit(e: RunnerEvent): void {
    this.trace.hear(e);
    if (e.type !== 'run-finished') return;
    if (e.report.dryRun) this.isDryRun = true;
    else this.write();
  }

  /** The run was interrupted by `signal`: what is still open ends here. */
  interrupted(signal: string): void {
    this.trace.interrupted(signal);
  }

  /** Writes the trace as it stands, once; later calls do nothing. */
  write(): void {
    if (this.isDryRun || this.written !== null || this.error !== null) return;
    try {
      writeReportFile('--trace', this.file, JSON.stringify(this.trace.document()) + '\n');
      this.written = this.file;
    } catch (err) {
      this.error = err;
    }
  }
}
