// A Reporter that keeps every event in order, for in-process tests to assert
// what the library said, and when, without parsing text.
import type { UnresolvedImport } from '../../src/deps/index.js';
import type { JobReport, Reporter } from '../../src/reporter.js';
import type { ScanIssue } from '../../src/scan/index.js';
import type { RelPath } from '../../src/types.js';

export type ReporterEvent =
  | { kind: 'scanIssue'; issue: ScanIssue }
  | { kind: 'warning'; message: string }
  | { kind: 'unresolvedImports'; found: readonly UnresolvedImport[] }
  | { kind: 'planned'; counts: { jobs: number; stale: number; cachedFailures: number; fresh: number } }
  | { kind: 'jobStarted'; tool: string; path: RelPath }
  | { kind: 'jobFinished'; job: JobReport }
  | { kind: 'waitingForRunner'; pid: number | null };

export class RecordingReporter implements Reporter {
  readonly events: ReporterEvent[] = [];

  scanProgress(): void {}
  scanIssue(issue: ScanIssue): void {
    this.events.push({ kind: 'scanIssue', issue });
  }
  warning(message: string): void {
    this.events.push({ kind: 'warning', message });
  }
  unresolvedImports(found: readonly UnresolvedImport[]): void {
    this.events.push({ kind: 'unresolvedImports', found });
  }
  planned(counts: { jobs: number; stale: number; cachedFailures: number; fresh: number }): void {
    this.events.push({ kind: 'planned', counts });
  }
  jobStarted(tool: string, path: RelPath): void {
    this.events.push({ kind: 'jobStarted', tool, path });
  }
  jobFinished(job: JobReport): void {
    this.events.push({ kind: 'jobFinished', job });
  }
  waitingForRunner(holder: { pid: number | null }): void {
    this.events.push({ kind: 'waitingForRunner', pid: holder.pid });
  }

  /** The kinds of the events, in order (jobStarted and jobFinished with their file). */
  get sequence(): string[] {
    return this.events.map((e) => (e.kind === 'jobStarted' ? `started ${e.path}` : e.kind === 'jobFinished' ? `${e.job.status} ${e.job.path}` : e.kind));
  }

  get warnings(): string[] {
    return this.events.flatMap((e) => (e.kind === 'warning' ? [e.message] : []));
  }
}
