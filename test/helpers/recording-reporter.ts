// An EventSink that keeps every event the library emits, in order (scan
// progress, phases and token waits, which only --trace draws, left out), for
// in-process tests to assert what the library said, and when, without parsing text.
import type { EventSink, RunnerEvent } from '../../src/api/events.js';

const UNRECORDED = new Set<RunnerEvent['type']>([
  'scan-progress',
  'phase-started',
  'phase-finished',
  'token-wait-started',
  'token-wait-finished',
]);

export class RecordingReporter implements EventSink {
  readonly events: RunnerEvent[] = [];

  emit(event: RunnerEvent): void {
    if (!UNRECORDED.has(event.type)) this.events.push(event);
  }

  /** The types of the events, in order; a job's with its file (job-started as "started", a job's end as its status). */
  get sequence(): string[] {
    return this.events.map((e) => {
      switch (e.type) {
        case 'job-started':
          return `started ${e.path}`;
        case 'job-finished':
        case 'cached-failure':
        case 'job-unchecked':
          return `${e.job.status} ${e.job.path}`;
        default:
          return e.type;
      }
    });
  }

  get warnings(): string[] {
    return this.events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
  }
}
