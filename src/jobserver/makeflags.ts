// Reads GNU make's MAKEFLAGS into what runner needs: dry run, -j, and where
// the jobserver is. Pure: opens nothing (pipe-client.ts and fifo-client.ts do).
// Rules: ../shared/docs/jobserver.md §1 (GNU make manual, "POSIX Jobserver
// Interaction"; the Rust jobserver crate and ninja pick the last option too).
import { JobserverError } from '../errors.js';

export type JobserverAuth =
  | { style: 'pipe'; read: number; write: number; option: '--jobserver-auth' | '--jobserver-fds' }
  | { style: 'fifo'; path: string }
  /** Negative descriptors: make disabled the jobserver for this process. */
  | { style: 'disabled' };

export interface Makeflags {
  raw: string;
  /** `make -n`: an `n` in the leading single-letter word. */
  dryRun: boolean;
  /** -jN: N; a bare -j: 'unlimited'; no -j word: null. */
  jobs: number | 'unlimited' | null;
  auth: JobserverAuth | null;
}

function parseAuth(raw: string, option: '--jobserver-auth' | '--jobserver-fds', value: string): JobserverAuth {
  const fds = /^(-?\d+),(-?\d+)$/.exec(value);
  if (fds !== null) {
    const read = Number(fds[1]);
    const write = Number(fds[2]);
    return read < 0 || write < 0 ? { style: 'disabled' } : { style: 'pipe', read, write, option };
  }
  if (option === '--jobserver-auth' && value.startsWith('fifo:') && value.length > 'fifo:'.length) {
    return { style: 'fifo', path: value.slice('fifo:'.length) };
  }
  throw new JobserverError({
    kind: 'cannot-parse',
    makeflags: raw,
    detail: `${option}=${value} is neither R,W (two descriptors) nor fifo:PATH`,
  });
}

/** null when MAKEFLAGS is unset or blank: runner is not under make. */
export function parseMakeflags(raw: string | undefined): Makeflags | null {
  if (raw === undefined || raw.trim() === '') return null;
  const words = raw.trim().split(/\s+/);
  // The single-letter word comes first and has no dash; make writes a leading blank when there is none.
  const letters = !/^\s/.test(raw) && !words[0]!.startsWith('-') ? words.shift()! : '';
  let jobs: Makeflags['jobs'] = null;
  let auth: { option: '--jobserver-auth' | '--jobserver-fds'; value: string } | null = null;
  let fds: string | null = null;
  for (const word of words) {
    if (word === '--') break; // variable assignments follow
    if (word === '-j' || word === '--jobs') jobs = 'unlimited';
    else if (/^-j\d+$/.test(word)) jobs = Number(word.slice(2));
    else if (/^--jobs=\d+$/.test(word)) jobs = Number(word.slice('--jobs='.length));
    else if (word.startsWith('--jobserver-auth='))
      auth = { option: '--jobserver-auth', value: word.slice('--jobserver-auth='.length) };
    else if (word.startsWith('--jobserver-fds=')) fds = word.slice('--jobserver-fds='.length);
  }
  // The last --jobserver-auth counts; --jobserver-fds (make < 4.2) only without one.
  const chosen = auth ?? (fds === null ? null : { option: '--jobserver-fds' as const, value: fds });
  return {
    raw,
    dryRun: letters.includes('n'),
    jobs: jobs === 0 ? 'unlimited' : jobs,
    auth: chosen === null ? null : parseAuth(raw, chosen.option, chosen.value),
  };
}

/**
 * MAKEFLAGS for a job that cannot have the jobserver's descriptors: without
 * the jobserver and without -j, so a nested make runs one job at a time, as
 * make itself does when its jobserver is unavailable. The rest (the letters
 * word, other options, variable assignments after `--`) stays as it was.
 */
export function withoutJobserver(raw: string): string {
  const words = raw.split(' ');
  const end = words.indexOf('--');
  const options = end === -1 ? words : words.slice(0, end);
  const kept = options.filter((w) => !/^(-j\d*|--jobs(=\d+)?|--jobserver-(auth|fds)=.*)$/.test(w));
  return [...kept, ...(end === -1 ? [] : words.slice(end))].join(' ');
}
