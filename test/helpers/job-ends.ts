// Every end a job can have, with its verdict and the flat fields (exitCode,
// signal, timedOut) it had before the union: shared by the tests of job-end.ts
// and of the store's codec.
import type { FlatEnd, JobEnd, ResultStatus } from '../../src/job-end.js';

export const flat = (exitCode: number | null, signal: string | null, timedOut = false): FlatEnd => ({
  exitCode,
  signal,
  timedOut,
});

/** Every end runner produces, with its verdict and its flat fields. */
export const EVERY_END: [string, JobEnd, ResultStatus, FlatEnd][] = [
  ['a pass', { kind: 'exit', code: 0 }, 'passed', flat(0, null)],
  ['an exit code', { kind: 'exit', code: 3 }, 'failed', flat(3, null)],
  ['a kill', { kind: 'signal', signal: 'SIGSEGV' }, 'failed', flat(null, 'SIGSEGV')],
  [
    'a timeout, killed',
    { kind: 'timeout', stopped: { kind: 'signal', signal: 'SIGTERM' } },
    'failed',
    flat(null, 'SIGTERM', true),
  ],
  ['a timeout, exited', { kind: 'timeout', stopped: { kind: 'exit', code: 0 } }, 'failed', flat(0, null, true)],
  ['a program that never started', { kind: 'spawn-error' }, 'failed', flat(null, null)],
  [
    'an interrupted job, killed',
    { kind: 'interrupted', stopped: { kind: 'signal', signal: 'SIGINT' } },
    'interrupted',
    flat(null, 'SIGINT'),
  ],
  [
    'an interrupted job, exited',
    { kind: 'interrupted', stopped: { kind: 'exit', code: 130 } },
    'interrupted',
    flat(130, null),
  ],
  ['a job interrupted before it started', { kind: 'interrupted', stopped: null }, 'interrupted', flat(null, null)],
];
