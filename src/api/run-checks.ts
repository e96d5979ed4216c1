// Checks every kind of run makes of its options before any job starts (run,
// run --staged, watch): the --tool names, the passEnv names that look like
// secrets. Decides nothing about what runs.
import { type LatchedTool, secretWarning } from '../config/index.js';
import { UsageError } from '../errors.js';
import type { Session } from '../session.js';
import type { EventSink } from './events.js';

export function checkToolNames(tools: readonly LatchedTool[], wanted: readonly string[]): Set<string> {
  const names = tools.map((t) => t.config.name);
  for (const w of wanted) {
    if (!names.includes(w)) throw new UsageError(`--tool ${w}: no such tool; expected one of: ${names.join(', ')}`);
  }
  return new Set(wanted);
}

/** Once per run (and per watch): passEnv names that look like secrets, and the fix. */
export function warnOfSecrets(s: Pick<Session, 'loaded'>, events: EventSink): void {
  const warning = secretWarning(s.loaded.displayFile, s.loaded.config.passEnv);
  if (warning !== null) events.emit({ type: 'warning', message: warning });
}
