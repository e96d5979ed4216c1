// A program that cannot be started ends its job with runner's fault named in
// the config's words, never with an exception out of spawnJob.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnJob } from '../../../src/exec/index.js';
import { describeSpawnError } from '../../../src/exec/spawn-error.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function logPath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-spawn-'));
  dirs.push(dir);
  return path.join(dir, 'job.log');
}

describe('spawnJob', () => {
  it('issue 12: an environment too large for the kernel (E2BIG) is a runner fault naming the largest variable, not a thrown error', async () => {
    const log = logPath();
    // 60 variables of 120 KB (7 MB): past ARG_MAX in all, even the 6 MB of an unlimited stack, each one under the per-variable limit.
    const env: Record<string, string> = { PATH: '/usr/bin:/bin' };
    for (let i = 0; i < 60; i++) env[`V${i}`] = 'x'.repeat(120_000);
    env.HUGE = 'y'.repeat(125_000);
    const outcome = await spawnJob(
      { program: '/bin/true', args: [], cwd: os.tmpdir(), env, timeoutMs: null, logPath: log, fds: [] },
      new AbortController().signal,
    );
    expect(outcome.end).toEqual({ kind: 'spawn-error' });
    expect(outcome.runnerFault).toMatch(
      /^cannot start \/bin\/true: its arguments and environment \(\d+ bytes\) are more than Linux passes to a program \(E2BIG\); the largest variables: HUGE \(125005 bytes\), V\d+ \(120004 bytes\)$/,
    );
    expect(fs.readFileSync(log, 'utf8')).toBe(`runner: ${outcome.runnerFault}\n`);
  });

  it('issue 12: a NUL byte Node refuses is a runner fault, not a thrown error', async () => {
    const outcome = await spawnJob(
      { program: '/bin/true', args: ['a\0b'], cwd: os.tmpdir(), env: {}, timeoutMs: null, logPath: logPath(), fds: [] },
      new AbortController().signal,
    );
    expect(outcome.end).toEqual({ kind: 'spawn-error' });
    expect(outcome.runnerFault).toMatch(/^cannot start \/bin\/true: an argument or variable holds a NUL byte \(/);
  });
});

describe('describeSpawnError', () => {
  const cmd = { program: '/x/tool', args: ['a'], env: { A: '1' } };
  it.each([
    ['EACCES', 'cannot start /x/tool: not executable (EACCES)'],
    ['ENOENT', 'cannot start /x/tool: not found, or its interpreter (the #! line) is missing (ENOENT)'],
  ])('%s', (code, text) => {
    expect(describeSpawnError(Object.assign(new Error(`spawn ${code}`), { code }), cmd)).toBe(text);
  });
});
