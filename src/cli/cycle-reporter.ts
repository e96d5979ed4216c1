// The reporter `runner watch` hands the library: a new TextReporter for each
// cycle, made when the cycle starts, so that its progress clock and counts
// start then and not when the last cycle ended; one exit handler for them all.
import type { UnresolvedImport } from '../deps/index.js';
import type { Reporter, JobReport } from '../reporter.js';
import type { TextReporter } from '../report/index.js';
import type { ScanIssue } from '../scan/index.js';
import type { RelPath } from '../types.js';
import { onExit } from './cleanup.js';
import { type Io, textReporter } from './io.js';

export class CycleReporter implements Reporter {
  /** null between cycles until something is reported (a whole-tree scan's progress before a cycle starts). */
  private current: TextReporter | null = null;

  constructor(private readonly io: Io) {
    onExit(() => this.close()); // the cursor comes back even when runner crashes
  }

  /** A cycle starts: what was reported before it is done with, and a new reporter's clock starts now. */
  begin(): void {
    this.close();
    this.current = this.live();
  }

  private live(): TextReporter {
    return (this.current ??= textReporter(this.io, undefined, false));
  }

  scanProgress(visited: number, hashed: number): void {
    this.live().scanProgress(visited, hashed);
  }

  scanIssue(issue: ScanIssue): void {
    this.live().scanIssue(issue);
  }

  warning(message: string): void {
    this.live().warning(message);
  }

  unresolvedImports(found: readonly UnresolvedImport[]): void {
    this.live().unresolvedImports(found);
  }

  planned(counts: { jobs: number; stale: number; cachedFailures: number; fresh: number }): void {
    this.live().planned(counts);
  }

  jobStarted(tool: string, path: RelPath): void {
    this.live().jobStarted(tool, path);
  }

  jobFinished(job: JobReport): void {
    this.live().jobFinished(job);
  }

  waitingForRunner(holder: { pid: number | null; stateDir: string }): void {
    this.live().waitingForRunner(holder);
  }

  /** Removes the progress bar; the next report (or cycle) gets a new reporter. */
  close(): void {
    this.current?.close();
    this.current = null;
  }
}
