// The build loop alone: a fake command runner, a recorder that keeps what it
// is told, and a pool that counts its tokens out and back.
import { describe, expect, test } from 'vitest';
import { type JobLimit, type JobRecorder, build } from '../../../src/build/index.js';
import type { JobCommand, JobOutcome } from '../../../src/exec/index.js';
import { statusOf } from '../../../src/job-end.js';
import { LocalPool, type Token, type TokenPool } from '../../../src/jobserver/index.js';
import { FakeCommandRunner } from '../../helpers/fake-command-runner.js';
import { waitFor } from '../../helpers/sandbox.js';

/** A local pool of `capacity` tokens that counts those given out and not yet back. */
class CountingPool implements TokenPool {
  out = 0;
  private readonly pool: LocalPool;
  constructor(readonly capacity: number) {
    this.pool = new LocalPool(capacity);
  }
  async acquire(signal?: AbortSignal): Promise<Token> {
    const token = await this.pool.acquire(signal);
    this.out++;
    let back = false;
    return {
      release: () => {
        if (back) return;
        back = true;
        this.out--;
        token.release();
      },
    };
  }
}

/** Jobs are file names; the command's last argument names the job, as a tool's {file} does. */
function recorderOf(log: string[], failOn?: string): JobRecorder<string> {
  return {
    commandFor: (job): JobCommand => ({
      program: 'tool',
      args: [job],
      cwd: '/',
      env: {},
      timeoutMs: null,
      logPath: `/nonexistent/${job}.log`,
      fds: [],
    }),
    started: (job) => log.push(`started ${job}`),
    finished: (job, outcome: JobOutcome) => {
      if (job === failOn) throw new Error(`cannot record ${job}`);
      log.push(`${statusOf(outcome.end)} ${job}`);
    },
  };
}

describe('build', () => {
  test('runs every job once, records each outcome, and gives every token back', async () => {
    const pool = new CountingPool(2);
    const runner = new FakeCommandRunner(() => ({ status: 'passed' }));
    const log: string[] = [];
    const summary = await build(['a', 'b', 'c'], {
      pool,
      runner,
      recorder: recorderOf(log),
      signal: new AbortController().signal,
      failFast: false,
    });
    expect(summary).toEqual({ notStarted: [], stoppedByFailure: false });
    expect(log.filter((l) => l.startsWith('passed')).sort()).toEqual(['passed a', 'passed b', 'passed c']);
    expect(runner.peak).toBeLessThanOrEqual(2);
    expect(runner.idleCalls).toBe(1);
    expect(pool.out).toBe(0);
  });

  test('takes jobs in order, no more at once than the pool holds', async () => {
    const pool = new CountingPool(2);
    const runner = new FakeCommandRunner();
    const run = build(['a', 'b', 'c', 'd'], {
      pool,
      runner,
      recorder: recorderOf([]),
      signal: new AbortController().signal,
      failFast: false,
    });
    await waitFor('two running', () => runner.waiting.length === 2);
    expect(runner.waiting).toEqual(['a', 'b']);
    runner.finish('b', { status: 'passed' });
    await waitFor('c started', () => runner.waiting.includes('c'));
    expect(pool.out).toBe(2);
    for (const j of ['a', 'c']) runner.finish(j, { status: 'passed' });
    await waitFor('d started', () => runner.waiting.includes('d'));
    runner.finish('d', { status: 'passed' });
    await run;
    expect(runner.peak).toBe(2);
    expect(pool.out).toBe(0);
  });

  test('fail-fast: starts nothing after a failure, lets the running job end, and lists the rest as not started', async () => {
    const pool = new CountingPool(2);
    const runner = new FakeCommandRunner();
    const log: string[] = [];
    const run = build(['a', 'b', 'c', 'd'], {
      pool,
      runner,
      recorder: recorderOf(log),
      signal: new AbortController().signal,
      failFast: true,
    });
    await waitFor('two running', () => runner.waiting.length === 2);
    runner.finish('a', { status: 'failed' });
    await waitFor('a recorded', () => log.includes('failed a'));
    runner.finish('b', { status: 'passed' });
    expect(await run).toEqual({ notStarted: ['c', 'd'], stoppedByFailure: true });
    expect(log).toContain('passed b');
    expect(pool.out).toBe(0);
  });

  test('without fail-fast a failure stops nothing', async () => {
    const runner = new FakeCommandRunner(() => ({ status: 'failed' }));
    const summary = await build(['a', 'b', 'c'], {
      pool: new CountingPool(1),
      runner,
      recorder: recorderOf([]),
      signal: new AbortController().signal,
      failFast: false,
    });
    expect(summary).toEqual({ notStarted: [], stoppedByFailure: false });
    expect(runner.started).toHaveLength(3);
  });

  test('an abort ends the running jobs as interrupted, stops the wait for a token, and gives every token back', async () => {
    const pool = new CountingPool(2);
    const runner = new FakeCommandRunner();
    const log: string[] = [];
    const abort = new AbortController();
    const run = build(['a', 'b', 'c'], {
      pool,
      runner,
      recorder: recorderOf(log),
      signal: abort.signal,
      failFast: false,
    });
    await waitFor('two running', () => runner.waiting.length === 2);
    abort.abort('SIGTERM');
    expect(await run).toEqual({ notStarted: ['c'], stoppedByFailure: false });
    expect(log.filter((l) => !l.startsWith('started')).sort()).toEqual(['interrupted a', 'interrupted b']);
    expect(runner.idleCalls).toBe(1);
    expect(pool.out).toBe(0);
  });

  test('an abort before the first job starts none', async () => {
    const abort = new AbortController();
    abort.abort('SIGINT');
    const runner = new FakeCommandRunner(() => ({ status: 'passed' }));
    const pool = new CountingPool(2);
    const summary = await build(['a', 'b'], {
      pool,
      runner,
      recorder: recorderOf([]),
      signal: abort.signal,
      failFast: false,
    });
    expect(summary.notStarted).toEqual(['a', 'b']);
    expect(runner.started).toEqual([]);
    expect(pool.out).toBe(0);
  });

  test('a recorder that throws stops the build: running jobs end, nothing more starts, the error comes out, every token is back', async () => {
    const pool = new CountingPool(2);
    const runner = new FakeCommandRunner();
    const log: string[] = [];
    const run = build(['a', 'b', 'c'], {
      pool,
      runner,
      recorder: recorderOf(log, 'a'),
      signal: new AbortController().signal,
      failFast: false,
    });
    run.catch(() => {});
    await waitFor('two running', () => runner.waiting.length === 2);
    runner.finish('a', { status: 'passed' });
    await waitFor('a out of the way', () => runner.waiting.length === 1);
    runner.finish('b', { status: 'passed' });
    await expect(run).rejects.toThrow('cannot record a');
    expect(runner.started.map((j) => j.file)).toEqual(['a', 'b']);
    expect(log).toContain('passed b');
    expect(runner.idleCalls).toBe(1);
    expect(pool.out).toBe(0);
  });

  test('issue 14: the jobs a finished job names run next under its token, before the token goes back', async () => {
    const pool = new CountingPool(1);
    // "ab" fails, as a chunk of two files: its halves "a" and "b" follow it.
    const runner = new FakeCommandRunner((j) => ({ status: j.file === 'ab' || j.file === 'b' ? 'failed' : 'passed' }));
    const log: string[] = [];
    const inner = recorderOf(log);
    const summary = await build(['ab', 'c'], {
      pool,
      runner,
      recorder: {
        ...inner,
        finished: (job, outcome) => (inner.finished(job, outcome), job === 'ab' ? ['a', 'b'] : []),
      },
      signal: new AbortController().signal,
      failFast: false,
    });
    expect(log).toEqual([
      'started ab',
      'failed ab',
      'started a',
      'passed a',
      'started b',
      'failed b',
      'started c',
      'passed c',
    ]);
    expect(runner.peak).toBe(1);
    expect(summary.notStarted).toEqual([]);
    expect(pool.out).toBe(0);
  });

  test('issue 14: an abort leaves the follow-ups not yet started in notStarted', async () => {
    const pool = new CountingPool(1);
    const runner = new FakeCommandRunner();
    const controller = new AbortController();
    const log: string[] = [];
    const inner = recorderOf(log);
    const run = build(['ab', 'c'], {
      pool,
      runner,
      recorder: {
        ...inner,
        finished: (job, outcome) => (inner.finished(job, outcome), job === 'ab' ? ['a', 'b'] : []),
      },
      signal: controller.signal,
      failFast: false,
    });
    await waitFor('ab to run', () => runner.waiting.includes('ab'));
    runner.finish('ab', { status: 'failed' });
    await waitFor('a to run', () => runner.waiting.includes('a'));
    controller.abort('SIGINT');
    const summary = await run;
    expect(summary.notStarted).toEqual(['b', 'c']);
    expect(pool.out).toBe(0);
  });
});

describe('per-tool limits (serial, jobs)', () => {
  /** Jobs named "<tool><n>": tool "s" is serial, "j" runs two at once, any other tool has no limit of its own. */
  const limitOf = (job: string): JobLimit | null =>
    job.startsWith('s') ? { group: 's', most: 1 } : job.startsWith('j') ? { group: 'j', most: 2 } : null;
  /** Lets every pending callback and promise run, so a loop that would take a token or start a job has done so. */
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  };
  const options = (pool: TokenPool, runner: FakeCommandRunner, log: string[] = [], failFast = false) => ({
    pool,
    runner,
    recorder: recorderOf(log),
    signal: new AbortController().signal,
    failFast,
    limitOf,
  });

  test("issue 14: the first job in order whose tool has room starts; a full tool's jobs wait their turn", async () => {
    const pool = new CountingPool(4);
    const runner = new FakeCommandRunner();
    const run = build(['s1', 's2', 'f1', 's3', 'f2'], options(pool, runner));
    await waitFor('three running', () => runner.waiting.length === 3);
    await settle();
    expect(runner.waiting).toEqual(['s1', 'f1', 'f2']);
    // A free token, and no job that may take it: none is held.
    expect(pool.out).toBe(3);
    runner.finish('s1', { status: 'passed' });
    await waitFor('s2 started', () => runner.waiting.includes('s2'));
    await settle();
    expect(runner.waiting).not.toContain('s3');
    runner.finish('s2', { status: 'passed' });
    await waitFor('s3 started', () => runner.waiting.includes('s3'));
    for (const j of ['f1', 'f2', 's3']) runner.finish(j, { status: 'passed' });
    expect(await run).toEqual({ notStarted: [], stoppedByFailure: false });
    expect(runner.started.map((j) => j.file)).toEqual(['s1', 'f1', 'f2', 's2', 's3']);
    expect(pool.out).toBe(0);
  });

  test("issue 14: while every waiting job's tool is full, the loop holds no token (a jobserver token stays free for make)", async () => {
    const pool = new CountingPool(4);
    const runner = new FakeCommandRunner();
    const run = build(['s1', 's2', 's3'], options(pool, runner));
    await waitFor('s1 running', () => runner.waiting.length === 1);
    await settle();
    expect(pool.out).toBe(1);
    runner.finish('s1', { status: 'passed' });
    await waitFor('s2 running', () => runner.waiting.includes('s2'));
    await settle();
    expect(pool.out).toBe(1);
    runner.finish('s2', { status: 'passed' });
    await waitFor('s3 running', () => runner.waiting.includes('s3'));
    runner.finish('s3', { status: 'passed' });
    await run;
    expect(runner.peak).toBe(1);
    expect(pool.out).toBe(0);
  });

  test('issue 14: a tool with jobs 2 never has a third job running, whatever the tokens', async () => {
    const pool = new CountingPool(8);
    const runner = new FakeCommandRunner();
    const run = build(['j1', 'j2', 'j3', 'j4', 'j5', 'f1'], options(pool, runner));
    await waitFor('three running', () => runner.waiting.length === 3);
    await settle();
    expect(runner.waiting).toEqual(['j1', 'j2', 'f1']);
    for (const [end, next] of [
      ['j2', 'j3'],
      ['j1', 'j4'],
      ['j3', 'j5'],
    ] as const) {
      runner.finish(end, { status: 'passed' });
      await waitFor(`${next} started`, () => runner.waiting.includes(next));
      await settle();
      expect(runner.waiting.filter((j) => j.startsWith('j'))).toHaveLength(2);
    }
    for (const j of ['j4', 'j5', 'f1']) runner.finish(j, { status: 'passed' });
    await run;
    expect(pool.out).toBe(0);
  });

  test("issue 14: a failed chunk's follow-ups take its place in its tool's limit; the next job of the tool waits for them", async () => {
    const pool = new CountingPool(4);
    const runner = new FakeCommandRunner();
    const log: string[] = [];
    const inner = recorderOf(log);
    const run = build(['s-ab', 's-c'], {
      ...options(pool, runner, log),
      recorder: {
        ...inner,
        finished: (job, outcome) => (inner.finished(job, outcome), job === 's-ab' ? ['s-a', 's-b'] : []),
      },
    });
    await waitFor('s-ab running', () => runner.waiting.includes('s-ab'));
    runner.finish('s-ab', { status: 'failed' });
    await waitFor('s-a running', () => runner.waiting.includes('s-a'));
    await settle();
    expect(runner.waiting).toEqual(['s-a']);
    expect(pool.out).toBe(1);
    runner.finish('s-a', { status: 'passed' });
    await waitFor('s-b running', () => runner.waiting.includes('s-b'));
    await settle();
    expect(runner.waiting).toEqual(['s-b']);
    runner.finish('s-b', { status: 'failed' });
    await waitFor('s-c running', () => runner.waiting.includes('s-c'));
    runner.finish('s-c', { status: 'passed' });
    await run;
    expect(runner.started.map((j) => j.file)).toEqual(['s-ab', 's-a', 's-b', 's-c']);
    expect(runner.peak).toBe(1);
    expect(pool.out).toBe(0);
  });

  test("issue 14: fail-fast: jobs waiting for their tool's room are not started, and are listed in order", async () => {
    const pool = new CountingPool(4);
    const runner = new FakeCommandRunner();
    const log: string[] = [];
    const run = build(['s1', 'f1', 's2', 'f2', 's3'], options(pool, runner, log, true));
    await waitFor('three running', () => runner.waiting.length === 3);
    runner.finish('s1', { status: 'failed' });
    await waitFor('s1 recorded', () => log.includes('failed s1'));
    await settle();
    for (const j of ['f1', 'f2']) runner.finish(j, { status: 'passed' });
    expect(await run).toEqual({ notStarted: ['s2', 's3'], stoppedByFailure: true });
    expect(pool.out).toBe(0);
  });

  test("issue 14: an abort while jobs wait for their tool's room ends the build; every token is back", async () => {
    const pool = new CountingPool(4);
    const runner = new FakeCommandRunner();
    const abort = new AbortController();
    const run = build(['s1', 's2', 's3'], { ...options(pool, runner), signal: abort.signal });
    await waitFor('s1 running', () => runner.waiting.length === 1);
    await settle();
    abort.abort('SIGINT');
    expect(await run).toEqual({ notStarted: ['s2', 's3'], stoppedByFailure: false });
    expect(runner.idleCalls).toBe(1);
    expect(pool.out).toBe(0);
  });
});
