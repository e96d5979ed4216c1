// A batch tool ({files}) run in this process with the fake command runner
// (issue 14): chunks under tokens, a failed chunk narrowed under its own
// token, results kept per file. The state directory and the jobserver fifo are real.
import { expect, test } from 'vitest';
import { FakeCommandRunner, type StartedJob } from '../helpers/fake-command-runner.js';
import { FifoJobserver, jobsTree, runInProcess } from '../helpers/in-process.js';
import { waitFor } from '../helpers/sandbox.js';

const batch = { tools: [{ name: 'check', command: ['cat', '{files}'] }] };
/** The files a process was given, by their numbers: "1 2 3". */
const filesOf = (j: StartedJob): string => j.command.args.map((a) => a.replace(/^jobs\/a(\d+)\.txt$/, '$1')).join(' ');
const statuses = (jobs: { path: string; status: string }[]): Record<string, string> =>
  Object.fromEntries(jobs.map((j) => [j.path.replace(/^jobs\/a(\d+)\.txt$/, '$1'), j.status]));

test('issue 14: a batch tool runs its stale files as one chunk per token, and each file passed is fresh next run', async () => {
  const sb = jobsTree(8, { ...batch, jobs: 2 });
  const runner = new FakeCommandRunner(() => ({ status: 'passed' }));
  const report = await runInProcess(sb, runner).result;
  // Sorted by path: a1 a2 … a8 (by code unit), split evenly over the two tokens.
  expect(runner.started.map(filesOf)).toEqual(['1 2 3 4', '5 6 7 8']);
  expect(runner.peak).toBeLessThanOrEqual(2);
  expect(report.counts).toMatchObject({ jobs: 8, ran: 8, passed: 8, failed: 0 });

  const second = new FakeCommandRunner(() => ({ status: 'passed' }));
  const again = await runInProcess(sb, second).result;
  expect(second.started).toEqual([]);
  expect(again.counts).toMatchObject({ jobs: 8, ran: 0, fresh: 8 });
});

test('issue 14: a failed chunk is narrowed by halves under its own token until the failing file is known; the others pass', async () => {
  const sb = jobsTree(8, { ...batch, jobs: 1 });
  const runner = new FakeCommandRunner((j) =>
    j.command.args.includes('jobs/a3.txt') ? { status: 'failed', log: 'a3 is wrong\n' } : { status: 'passed' },
  );
  const report = await runInProcess(sb, runner).result;
  // Only the first half of each set runs; what a failed half leaves aside (4, then 5-8) runs once, together, at the end.
  expect(runner.started.map(filesOf)).toEqual(['1 2 3 4 5 6 7 8', '1 2 3 4', '1 2', '3', '4 5 6 7 8']);
  expect(runner.peak).toBe(1);
  expect(statuses(report.jobs)).toEqual({
    1: 'passed',
    2: 'passed',
    3: 'failed',
    4: 'passed',
    5: 'passed',
    6: 'passed',
    7: 'passed',
    8: 'passed',
  });
  // Each file's result is the one its judging process gave: a3's log is its own run's.
  const a3 = report.jobs.find((j) => j.path === 'jobs/a3.txt')!;
  expect(a3.log).not.toBeNull();

  // Per file: a3 is a cached failure, the rest are fresh; nothing runs.
  const second = new FakeCommandRunner(() => ({ status: 'passed' }));
  const again = await runInProcess(sb, second).result;
  expect(second.started).toEqual([]);
  expect(again.jobs.map((j) => [j.path, j.status])).toEqual([['jobs/a3.txt', 'cached-failure']]);
});

test("issue 14: narrowing takes no token more than make's jobserver gives, and every token comes back", async () => {
  const sb = jobsTree(8, batch);
  const make = new FifoJobserver(sb, 1); // one token in the fifo, and runner's implicit one: two at once
  const runner = new FakeCommandRunner((j) =>
    j.command.args.includes('jobs/a2.txt') || j.command.args.includes('jobs/a7.txt')
      ? { status: 'failed' }
      : { status: 'passed' },
  );
  const report = await runInProcess(sb, runner, { env: { MAKEFLAGS: make.makeflags } }).result;
  expect(runner.peak).toBeLessThanOrEqual(2);
  expect(runner.started.filter((j) => j.command.args.length === 4).map(filesOf)).toEqual(['1 2 3 4', '5 6 7 8']);
  expect(report.counts).toMatchObject({ jobs: 8, ran: 8, passed: 6, failed: 2 });
  expect(statuses(report.jobs.filter((j) => j.status === 'failed'))).toEqual({ 2: 'failed', 7: 'failed' });
  expect(make.count()).toBe(1);
});

test('issue 14: when no half explains a chunk failure, every file of the chunk fails (never a pass it did not earn)', async () => {
  const sb = jobsTree(2, { ...batch, jobs: 1 });
  // Fails only when both files are in one process: each alone passes.
  const runner = new FakeCommandRunner((j) =>
    j.command.args.length === 2 ? { status: 'failed', log: 'a1 and a2 clash\n' } : { status: 'passed' },
  );
  const report = await runInProcess(sb, runner).result;
  expect(runner.started.map(filesOf)).toEqual(['1 2', '1', '2']);
  expect(statuses(report.jobs)).toEqual({ 1: 'failed', 2: 'failed' });
  for (const j of report.jobs) expect(j.log).not.toBeNull(); // the failed chunk's log, the one that shows the clash

  const second = new FakeCommandRunner(() => ({ status: 'passed' }));
  const again = await runInProcess(sb, second).result;
  expect(second.started).toEqual([]);
  expect(again.jobs.map((j) => j.status)).toEqual(['cached-failure', 'cached-failure']);
});

test('issue 14: a chunk runner could not start records none of its files: they all run next time', async () => {
  const sb = jobsTree(4, { ...batch, jobs: 1 });
  const first = new FakeCommandRunner(() => ({ status: 'failed', runnerFault: 'could not start it' }));
  const report = await runInProcess(sb, first).result;
  expect(first.started.map(filesOf)).toEqual(['1 2 3 4']); // not narrowed: no process judged them
  expect(report.counts).toMatchObject({ failed: 4 });

  const second = new FakeCommandRunner(() => ({ status: 'passed' }));
  const again = await runInProcess(sb, second).result;
  expect(second.started.map(filesOf)).toEqual(['1 2 3 4']);
  expect(again.counts).toMatchObject({ ran: 4, passed: 4 });
});

test('issue 14: a process of a narrowing runner could not start stops it: what is certain is kept, the rest runs next time', async () => {
  const sb = jobsTree(4, { ...batch, jobs: 1 });
  const first = new FakeCommandRunner((j) =>
    filesOf(j) === '4'
      ? { status: 'failed', runnerFault: 'could not start it' }
      : j.command.args.includes('jobs/a3.txt')
        ? { status: 'failed' }
        : { status: 'passed' },
  );
  const report = await runInProcess(sb, first).result;
  expect(first.started.map(filesOf)).toEqual(['1 2 3 4', '1 2', '3', '4']);
  expect(statuses(report.jobs)).toEqual({ 1: 'passed', 2: 'passed', 3: 'failed', 4: 'failed' });

  const second = new FakeCommandRunner(() => ({ status: 'passed' }));
  const again = await runInProcess(sb, second).result;
  expect(second.started.map(filesOf)).toEqual(['4']);
  expect(statuses(again.jobs)).toEqual({ 3: 'cached-failure', 4: 'passed' });
});

test('issue 14: with failFast a failed chunk is still narrowed to its failing file, and no other chunk starts', async () => {
  const sb = jobsTree(8, {
    ...batch,
    jobs: 1,
    failFast: true,
    tools: [{ name: 'check', command: ['cat', '{files}'], maxFiles: 4 }],
  });
  const runner = new FakeCommandRunner((j) =>
    j.command.args.includes('jobs/a2.txt') ? { status: 'failed' } : { status: 'passed' },
  );
  const report = await runInProcess(sb, runner).result;
  expect(runner.started.map(filesOf)).toEqual(['1 2 3 4', '1 2', '1', '2', '3 4']);
  expect(statuses(report.jobs)).toEqual({
    1: 'passed',
    2: 'failed',
    3: 'passed',
    4: 'passed',
    5: 'not-started',
    6: 'not-started',
    7: 'not-started',
    8: 'not-started',
  });
});

test('issue 14: an abort mid-narrowing records what is certain (the file that failed alone, passes its failure explains); the rest runs again next time', async () => {
  const sb = jobsTree(4, { ...batch, jobs: 1 });
  // 1 2 pass, 3 fails alone (explaining the chunk's failure), then 4 (set aside) hangs until the abort.
  const runner = new FakeCommandRunner((j) =>
    filesOf(j) === '4'
      ? null
      : j.command.args.includes('jobs/a3.txt')
        ? { status: 'failed', log: 'a3 is wrong\n' }
        : { status: 'passed' },
  );
  const abort = new AbortController();
  const { result } = runInProcess(sb, runner, { signal: abort.signal });
  await waitFor('the file set aside running', () => runner.waiting.includes('jobs/a4.txt'));
  abort.abort('SIGINT');
  const report = await result;
  expect(runner.started.map(filesOf)).toEqual(['1 2 3 4', '1 2', '3', '4']);
  expect(statuses(report.jobs)).toEqual({ 1: 'passed', 2: 'passed', 3: 'failed', 4: 'interrupted' });

  const next = new FakeCommandRunner(() => ({ status: 'passed' }));
  const again = await runInProcess(sb, next).result;
  expect(next.started.map(filesOf)).toEqual(['4']);
  expect(statuses(again.jobs)).toEqual({ 3: 'cached-failure', 4: 'passed' });
});

test('issue 14: an abort mid-narrowing records no pass its chunk failure may still take back: those files run again next time', async () => {
  const sb = jobsTree(4, { ...batch, jobs: 1 });
  const abort = new AbortController();
  // Aborts as the first half's pass comes back, before the loop can start the next process.
  class AbortAfterFirstHalf extends FakeCommandRunner {
    override async start(...args: Parameters<FakeCommandRunner['start']>): ReturnType<FakeCommandRunner['start']> {
      const outcome = await super.start(...args);
      if (args[0].args.join(' ') === 'jobs/a1.txt jobs/a2.txt') abort.abort('SIGINT');
      return outcome;
    }
  }
  const runner = new AbortAfterFirstHalf((j) => ({ status: j.command.args.length === 4 ? 'failed' : 'passed' }));
  const report = await runInProcess(sb, runner, { signal: abort.signal }).result;
  expect(runner.started.map(filesOf)).toEqual(['1 2 3 4', '1 2']);
  // 1 and 2 passed, but should 3 and 4 each pass alone, nothing explains the chunk's failure and all four fail.
  expect(statuses(report.jobs)).toEqual({ 1: 'interrupted', 2: 'interrupted', 3: 'interrupted', 4: 'interrupted' });

  const next = new FakeCommandRunner(() => ({ status: 'passed' }));
  await runInProcess(sb, next).result;
  expect(next.started.map(filesOf)).toEqual(['1 2 3 4']);
});
