// runner alone serving its own jobserver to its jobs, fifo style (what ninja
// 1.13 joins), and checking at the end that every token came back.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, show } from '../helpers/cli.js';
import { REPO, type Sandbox, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

const TAKER = path.join(REPO, 'test', 'helpers', 'token-taker.mjs');

function setup(keep: number): Sandbox {
  const sb = useFixture('js-demo');
  writeText(sb, 'only/one.txt', 'x\n');
  writeConfig(sb, {
    include: ['only/**'],
    env: { KEEP: String(keep) },
    tools: [{ name: 'taker', command: ['node', TAKER, '{file}'] }],
  });
  return sb;
}

describe('runner alone serves a fifo jobserver', () => {
  test('a job finds N-1 tokens in the fifo named by MAKEFLAGS, and giving them back ends quietly', async () => {
    const sb = setup(0);
    const { res, json } = await runJson(['run', '-j', '3', '--jobserver-style', 'fifo'], {
      cwd: sb.tree,
      env: baseEnv(),
    });
    expect(res.code, show(res)).toBe(0);
    const job = json.jobs[0]!;
    expect(fs.readFileSync(path.resolve(sb.tree, job.log!), 'utf8')).toBe('tokens 2\n');
    expect(res.stderr).not.toContain('warning');
  });

  test('a job that keeps a token makes runner say so at the end', async () => {
    const sb = setup(1);
    const { res } = await runJson(['run', '-j', '3', '--jobserver-style', 'fifo'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(res.stderr).toContain("runner: warning: jobserver: 1 of runner's 2 tokens did not come back from the jobs");
  });

  test('issue 12: -j beyond what the jobserver pipe holds serves what it safely can, says so, and returns every token', async () => {
    // Before: runner blocked for ever writing 69999 tokens into its own fifo (64 KiB by default), deaf to SIGTERM.
    const sb = setup(0);
    const { res, json } = await runJson(['run', '-j', '70000', '--jobserver-style', 'fifo'], {
      cwd: sb.tree,
      env: baseEnv(),
    });
    expect(res.code, show(res)).toBe(0);
    const m =
      /runner: warning: -j 70000 is more than runner's jobserver pipe can serve: it serves (\d+) tokens \(half of what the pipe holds\), so runner and its jobs run at most (\d+) jobs at once\n/.exec(
        res.stderr,
      );
    expect(m, res.stderr).not.toBeNull();
    const served = Number(m![1]);
    expect(Number(m![2])).toBe(served + 1);
    expect(served).toBeLessThan(69999);
    // The job found exactly the tokens named, and all came back (no warning at the end).
    expect(fs.readFileSync(path.resolve(sb.tree, json.jobs[0]!.log!), 'utf8')).toBe(`tokens ${served}\n`);
    expect(res.stderr).not.toContain('did not come back');
  }, 30_000);
});
