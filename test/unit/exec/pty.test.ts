import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TerminalSupportError } from '../../../src/errors.js';
import { TERMINAL_PACKAGE, TERMINAL_VERSION, placeJobserver, signalName } from '../../../src/exec/pty.js';
import { REPO } from '../../helpers/sandbox.js';

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

describe('terminal support', () => {
  it('issue 15: is the optional dependency package.json pins, at the version pty.ts drives, and node-pty is no dependency of the package', () => {
    const pkg = JSON.parse(fs.readFileSync(`${REPO}/package.json`, 'utf8')) as {
      dependencies: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    expect(pkg.optionalDependencies?.[TERMINAL_PACKAGE]).toBe(TERMINAL_VERSION);
    expect(pkg.dependencies).not.toHaveProperty('node-pty');
    expect(pkg.dependencies).not.toHaveProperty(TERMINAL_PACKAGE);
  });

  it('issue 15: when missing, the error names the tools, the install command and that nothing ran; without a binary, the platform', () => {
    const fields = { package: '@lydell/node-pty', version: '1.1.0', platform: 'linux-ia32' };
    const missing = new TerminalSupportError({
      ...fields,
      tools: ['colour'],
      problem: 'missing',
      detail: "Cannot find package '@lydell/node-pty'",
    });
    expect(missing.exitCode).toBe(2);
    expect(missing.message).toBe(
      'tool "colour" needs @lydell/node-pty 1.1.0, the terminal support of "pty": true, which is not installed ' +
        "(Cannot find package '@lydell/node-pty'); expected it installed beside runner: " +
        '`npm install @lydell/node-pty@1.1.0` (with -g for a global runner), or runner installed without --omit=optional; ' +
        'nothing was run',
    );
    const noBinary = new TerminalSupportError({ ...fields, tools: ['a', 'b'], problem: 'no-binary', detail: 'x' });
    expect(noBinary.message).toBe(
      'tools "a", "b" need @lydell/node-pty 1.1.0, the terminal support of "pty": true, which has no binary for ' +
        'linux-ia32 (x); expected Linux, macOS or Windows on x64 or arm64, or the tool without "pty": true; nothing was run',
    );
  });
});
