import { describe, expect, it } from 'vitest';
import { placeJobserver, signalName } from '../../../src/exec/pty.js';

const cmd = {
  program: '/usr/bin/make',
  args: ['-C', 'sub'],
  env: { PATH: '/bin', MAKEFLAGS: ' -j3 --jobserver-auth=3,4' },
};

describe('placeJobserver', () => {
  it('leaves a job without jobserver descriptors as it is', () => {
    expect(placeJobserver({ ...cmd, fds: [] }, 100)).toEqual({ program: cmd.program, args: cmd.args, env: cmd.env });
  });

  it("re-opens each descriptor from runner's /proc entry at its number, then execs the job", () => {
    const placed = placeJobserver(
      {
        ...cmd,
        fds: [
          [3, 21],
          [4, 22],
        ],
      },
      100,
    );
    expect(placed).toEqual({
      program: '/bin/sh',
      args: ['-c', 'exec 3<>/proc/100/fd/21 4<>/proc/100/fd/22 && exec "$@"', 'sh', '/usr/bin/make', '-C', 'sub'],
      env: cmd.env,
    });
  });

  it('past descriptor 9 (beyond a POSIX shell) passes no jobserver, and MAKEFLAGS loses it and -j', () => {
    const placed = placeJobserver(
      {
        ...cmd,
        env: { ...cmd.env, MAKEFLAGS: 'k -j3 --jobserver-auth=11,12 -- V=1' },
        fds: [
          [11, 11],
          [12, 12],
        ],
      },
      100,
    );
    expect(placed).toEqual({ program: cmd.program, args: cmd.args, env: { PATH: '/bin', MAKEFLAGS: 'k -- V=1' } });
  });

  it('drops a MAKEFLAGS left empty', () => {
    const placed = placeJobserver(
      {
        ...cmd,
        env: { ...cmd.env, MAKEFLAGS: ' -j3 --jobserver-auth=10,11' },
        fds: [
          [10, 10],
          [11, 11],
        ],
      },
      100,
    );
    expect(placed.env).toEqual({ PATH: '/bin' });
  });
});

describe('signalName', () => {
  it.each([
    [15, 'SIGTERM'],
    [9, 'SIGKILL'],
    [2, 'SIGINT'],
    [200, 'signal 200'],
  ])('%i is %s', (n, name) => {
    expect(signalName(n)).toBe(name);
  });
});
