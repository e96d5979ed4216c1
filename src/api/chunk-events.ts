// Tells the run's events which processes really run: wraps the recorder the
// build loop calls, so that every batch process (a chunk the run planned, or
// a process narrowing a failed one) gets chunk-started before it starts and
// chunk-finished once its end is handled. Decides nothing; records nothing.
import type { JobRecorder } from '../build/index.js';
import type { Chunk } from './chunk.js';
import type { EventSink } from './events.js';
import { chunkReportOf } from './job-report.js';

export function withChunkEvents(recorder: JobRecorder<Chunk>, events: EventSink): JobRecorder<Chunk> {
  return {
    commandFor: (ch) => recorder.commandFor(ch),
    started: (ch) => {
      const chunk = chunkReportOf(ch);
      if (chunk !== undefined) {
        const paths = ch.jobs.map((p) => p.job.path);
        events.emit({ type: 'chunk-started', tool: ch.jobs[0]!.job.tool.config.name, chunk, paths });
      }
      recorder.started(ch);
    },
    finished: (ch, outcome) => {
      const next = recorder.finished(ch, outcome) ?? [];
      const chunk = chunkReportOf(ch);
      if (chunk !== undefined) {
        const { end, durationMs } = outcome;
        // A narrowing's next process, when there is one, runs next.
        const narrowing = next.length > 0;
        events.emit({
          type: 'chunk-finished',
          tool: ch.jobs[0]!.job.tool.config.name,
          chunk,
          end,
          durationMs,
          narrowing,
        });
      }
      return next;
    },
  };
}
