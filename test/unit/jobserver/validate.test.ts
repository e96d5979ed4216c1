import { describe, expect, it } from 'vitest';
import { type ProcView, checkPipe } from '../../../src/jobserver/index.js';

/** A made-up /proc: descriptors per pid as link targets, access modes of runner's own. */
function proc(self: Record<number, string>, parent: Record<number, string> | null, modes: Record<number, number> = { 3: 0, 4: 1 }): ProcView {
  return {
    fdTarget: (pid, fd) => (pid === 'self' ? self[fd] : parent?.[fd]) ?? null,
    accessMode: (fd) => modes[fd] ?? null,
    isFifo: (fd) => (self[fd] ?? '').startsWith('pipe:'),
    parentPid: () => 42,
  };
}

describe('checkPipe', () => {
  it('accepts make\'s pipe: one pipe, right modes, and the parent holds it too', () => {
    expect(checkPipe(3, 4, proc({ 3: 'pipe:[77]', 4: 'pipe:[77]' }, { 3: 'pipe:[77]', 4: 'pipe:[77]' }))).toEqual({ ok: true });
  });

  it('refuses closed descriptors (a recipe without +)', () => {
    expect(checkPipe(3, 4, proc({ 4: 'pipe:[77]' }, null))).toMatchObject({ ok: false, problem: 'closed-fd' });
  });

  it('refuses Node\'s own descriptors that took the numbers (epoll and a libuv pipe)', () => {
    expect(checkPipe(3, 4, proc({ 3: 'anon_inode:[eventpoll]', 4: 'pipe:[90]' }, { 3: 'pipe:[77]', 4: 'pipe:[77]' })))
      .toMatchObject({ ok: false, problem: 'not-a-pipe' });
  });

  it('refuses a pipe of Node\'s own that passes every local check (the stale 4,5 case)', () => {
    const r = checkPipe(4, 5, proc({ 4: 'pipe:[90]', 5: 'pipe:[90]' }, { 0: '/dev/null' }, { 4: 0, 5: 1 }));
    expect(r).toEqual({ ok: false, problem: 'closed-fd', detail: 'the parent process (pid 42) does not hold that pipe at descriptors 4,5' });
  });

  it('refuses ends opened the wrong way round', () => {
    expect(checkPipe(3, 4, proc({ 3: 'pipe:[77]', 4: 'pipe:[77]' }, { 3: 'pipe:[77]', 4: 'pipe:[77]' }, { 3: 1, 4: 0 })))
      .toMatchObject({ ok: false, problem: 'not-a-pipe' });
  });
});
