// What `runner watch` hands the library to hear its events: a new TextReporter
// for each cycle, made when the cycle starts, so that its progress clock and
// counts start then and not when the last cycle ended; one exit handler for
// them all; and the words around each cycle (report/watch.ts renders them).
import type { RunnerEvent } from '../api.js';
import {
  type TextReporter,
  renderCycleStart,
  renderCycleStopped,
  renderIssueWarning,
  renderWatchKeys,
  renderWatchStatus,
} from '../report/index.js';
import { assertNever } from '../types.js';
import { onExit } from './cleanup.js';
import { type Io, textReporter } from './io.js';

/** Clears the screen and its scrollback, and puts the cursor at the top left. */
const CLEAR_SCREEN = '\x1b[2J\x1b[3J\x1b[H';

export class CycleReporter {
  /** null between cycles until something is reported (a whole-tree scan's progress before a cycle starts). */
  private current: TextReporter | null = null;
  /** The last cycle said to start: a cycle that fails before it starts gets a line of its own. */
  private announced = 0;
  private readonly json: boolean;
  private readonly quiet: boolean;

  /**
   * clear: --clear, the screen is cleared before each cycle (when stdout is a
   * terminal); keys: the watch takes keys (stdin is a terminal), named in a
   * line under each status line.
   */
  constructor(
    private readonly io: Io,
    private readonly how: { clear?: boolean; keys?: boolean } = {},
  ) {
    this.json = io.globals.json === true;
    this.quiet = io.globals.quiet === true;
    onExit(() => this.close()); // the cursor comes back even when runner crashes
  }

  emit(e: RunnerEvent): void {
    const { io } = this;
    switch (e.type) {
      case 'cycle-started':
        this.begin();
        this.announced = e.cycle.cycle;
        if (this.how.clear === true && process.stdout.isTTY === true) io.out.write(CLEAR_SCREEN);
        if (e.cycle.cycle > 1 && !this.json && !this.quiet) io.out.write(renderCycleStart(e.cycle));
        return;
      case 'cycle-finished':
        this.close();
        io.err.write(renderIssueWarning(e.cycle.report.scan));
        // With --json, the cycle's object is JsonOutput's.
        if (!this.json) io.out.write(renderWatchStatus(io, e.cycle));
        if (!this.json && this.how.keys === true && e.cycle.report.interrupted === null)
          io.out.write(renderWatchKeys(io));
        return;
      case 'config-rejected':
        return void io.err.write(
          `runner: error: ${e.error.message}\nrunner: keeping the previous config; still watching\n`,
        );
      case 'cycle-failed':
        this.close();
        if (e.cycle !== this.announced && !this.json && !this.quiet) io.out.write(renderCycleStopped(e.cycle));
        return void io.err.write(
          `runner: error: ${e.error.message}\nrunner: this cycle stopped; the next change scans the whole tree; still watching\n`,
        );
      case 'watcher-error':
        return void io.err.write(
          `runner: warning: the file watcher reported an error (${e.message}); scanning the whole tree\n`,
        );
      // What happens within a cycle (and the warnings before the first) is the cycle's text reporter's.
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
      case 'staged-roots':
        return this.live().emit(e);
      // The watch's tokens are the command's (one exit handler); a watch stages nothing and ends no run;
      // phases and token waits are only --trace's.
      case 'tokens-held':
      case 'staged-tree-made':
      case 'run-finished':
      case 'phase-started':
      case 'phase-finished':
      case 'token-wait-started':
      case 'token-wait-finished':
        return;
      default:
        return assertNever(e);
    }
  }

  /** A cycle starts: what was reported before it is done with, and a new reporter's clock starts now. */
  begin(): void {
    this.close();
    this.current = this.live();
  }

  private live(): TextReporter {
    return (this.current ??= textReporter(this.io, undefined, false));
  }

  /** Removes the progress bar; the next report (or cycle) gets a new reporter. */
  close(): void {
    this.current?.close();
    this.current = null;
  }
}
