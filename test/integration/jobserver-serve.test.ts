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

  describe('issue 14: the fifo is kept in the state directory, so a run makes none', () => {
    const keptFifo = (sb: Sandbox): string => path.join(sb.tree, '.runner', 'jobserver.fifo');
    /** A private TMPDIR, to see that nothing is made there. */
    const privateTmp = (sb: Sandbox): string => {
      const tmp = path.join(sb.scratch, 'tmp');
      fs.mkdirSync(tmp, { recursive: true });
      return tmp;
    };

    test('the second run serves from the same fifo, and nothing is made in TMPDIR', async () => {
      const sb = setup(0);
      const tmp = privateTmp(sb);
      const run = () =>
        runJson(['run', '-j', '3', '--force', '--jobserver-style', 'fifo'], {
          cwd: sb.tree,
          env: baseEnv({ TMPDIR: tmp }),
        });
      const first = await run();
      expect(first.res.code, show(first.res)).toBe(0);
      const made = fs.lstatSync(keptFifo(sb));
      expect(made.isFIFO()).toBe(true);
      expect(made.mode & 0o777).toBe(0o600);
      const second = await run();
      expect(second.res.code, show(second.res)).toBe(0);
      expect(fs.readFileSync(path.resolve(sb.tree, second.json.jobs[0]!.log!), 'utf8')).toBe('tokens 2\n');
      expect(fs.lstatSync(keptFifo(sb)).ino).toBe(made.ino);
      expect(fs.readdirSync(tmp)).toEqual([]);
      expect(second.res.stderr).not.toContain('warning');
    });

    test('tokens left in the kept fifo by a process of an earlier run are not served', async () => {
      const sb = setup(0);
      const first = await runJson(['run', '-j', '3', '--jobserver-style', 'fifo'], { cwd: sb.tree, env: baseEnv() });
      expect(first.res.code, show(first.res)).toBe(0);
      // A process that outlived its run holds the fifo's write end, and five bytes are in it.
      const both = fs.openSync(keptFifo(sb), fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
      fs.writeSync(both, Buffer.from('+++++'));
      const writer = fs.openSync(keptFifo(sb), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      fs.closeSync(both);
      try {
        const { res, json } = await runJson(['run', '-j', '3', '--force', '--jobserver-style', 'fifo'], {
          cwd: sb.tree,
          env: baseEnv(),
        });
        expect(res.code, show(res)).toBe(0);
        expect(fs.readFileSync(path.resolve(sb.tree, json.jobs[0]!.log!), 'utf8')).toBe('tokens 2\n');
        expect(res.stderr).not.toContain('warning');
      } finally {
        fs.closeSync(writer);
      }
    });

    test('a kept fifo another process reads is not used: the run serves from a fifo of its own', async () => {
      const sb = setup(0);
      const tmp = privateTmp(sb);
      writeConfig(sb, {
        include: ['only/**'],
        tools: [{ name: 'flags', command: ['sh', '-c', 'echo "$MAKEFLAGS"', 'flags', '{file}'] }],
      });
      const run = async () => {
        const { res, json } = await runJson(['run', '-j', '3', '--force', '--jobserver-style', 'fifo'], {
          cwd: sb.tree,
          env: baseEnv({ TMPDIR: tmp }),
        });
        expect(res.code, show(res)).toBe(0);
        return fs.readFileSync(path.resolve(sb.tree, json.jobs[0]!.log!), 'utf8');
      };
      expect(await run()).toBe(` -j3 --jobserver-auth=fifo:${keptFifo(sb)}\n`);
      const reader = fs.openSync(keptFifo(sb), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      try {
        const flags = await run();
        expect(flags).toContain(`--jobserver-auth=fifo:${tmp}/runner-jobserver-`);
        expect(fs.readdirSync(tmp)).toEqual([]); // its own fifo, removed at the end
      } finally {
        fs.closeSync(reader);
      }
    });
  });
});
