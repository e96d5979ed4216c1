import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MARKER, hookScript, isRunnerHook } from '../../../src/hook/index.js';

describe('hookScript', () => {
  const script = hookScript({
    node: '/opt/node 20/bin/node',
    runner: "/home/o'brien/runner/bin/runner",
    globals: ['-C', 'pkg/app'],
  });

  it('is valid sh and carries the marker on its second line', () => {
    expect(spawnSync('sh', ['-n', '-c', script]).status).toBe(0);
    expect(script.split('\n')[1]).toBe(MARKER);
    expect(isRunnerHook(script)).toBe(true);
  });

  it('runs runner quietly on the staged files, with the global options before the command and paths quoted', () => {
    expect(script).toContain(
      `exec '/opt/node 20/bin/node' '/home/o'\\''brien/runner/bin/runner' -C pkg/app -q run --staged\n`,
    );
  });

  it("does not take a hook that merely mentions runner for runner's", () => {
    expect(isRunnerHook('#!/bin/sh\n# calls runner run --staged\nrunner run --staged\n')).toBe(false);
    expect(isRunnerHook(`#!/bin/sh\necho hi\n\n\n${MARKER}\n`)).toBe(false);
  });

  it('fails with a hint when the node or runner it names is gone', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-hook-unit-'));
    try {
      const hook = path.join(dir, 'pre-commit');
      fs.writeFileSync(
        hook,
        hookScript({ node: path.join(dir, 'no-node'), runner: path.join(dir, 'no-runner'), globals: [] }),
        { mode: 0o755 },
      );
      const r = spawnSync(hook, [], { cwd: dir, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('is gone; run `runner hook install` again');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
