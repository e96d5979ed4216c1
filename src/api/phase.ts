// Brackets a stretch of runner's own work (the walk, the dependencies, the
// plan, a save) between phase-started and phase-finished, the end said also
// when the work throws. Two events per phase, whatever the tree's size: the
// no-op path stores nothing per file for them.
import type { EventSink, RunPhase } from './events.js';

export function inPhase<T>(events: EventSink, phase: RunPhase, work: () => T): T {
  events.emit({ type: 'phase-started', phase });
  try {
    return work();
  } finally {
    events.emit({ type: 'phase-finished', phase });
  }
}

/** inPhase for work that awaits: the phase ends when its promise settles. */
export async function inPhaseAsync<T>(events: EventSink, phase: RunPhase, work: () => Promise<T>): Promise<T> {
  events.emit({ type: 'phase-started', phase });
  try {
    return await work();
  } finally {
    events.emit({ type: 'phase-finished', phase });
  }
}
