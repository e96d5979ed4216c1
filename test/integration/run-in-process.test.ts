// run() called in this process with a fake command runner (no job process):
// the build loop, fail-fast, cancellation and token return, each in a few
// milliseconds of jobs. The state directory and the jobserver fifo are real.
import { expect, test } from 'vitest';
import { FakeCommandRunner } from '../helpers/fake-command-runner.js';
import { FifoJobserver, jobsTree, runInProcess } from '../helpers/in-process.js';
import { waitFor } from '../helpers/sandbox.js';

const passAll = (): FakeCommandRunner => new FakeCommandRunner(() => ({ status: 'passed' }));

test('issue 13: every stale job goes through the injected command runner, and its recorded result makes the next run run none', async () => {
  const sb = jobsTree(3);
  const first = passAll();
  const { reporter, result } = runInProcess(sb, first);
  const report = await result;
  expect(first.started.map((j) => j.file).sort()).toEqual(['jobs/a1.txt', 'jobs/a2.txt', 'jobs/a3.txt']);
  expect(report.counts).toMatchObject({ jobs: 3, ran: 3, passed: 3, failed: 0, notStarted: 0 });
  expect(reporter.sequence.filter((e) => e.startsWith('started')).sort()).toEqual([
    'started jobs/a1.txt',
    'started jobs/a2.txt',
    'started jobs/a3.txt',
  ]);
  expect(reporter.sequence.filter((e) => e.startsWith('passed'))).toHaveLength(3);
  expect(first.idleCalls).toBe(1);

  const second = passAll();
  const again = await runInProcess(sb, second).result;
  expect(second.started).toEqual([]);
  expect(again.counts).toMatchObject({ jobs: 3, ran: 0, fresh: 3 });
});

test('issue 13: a failing job is recorded with its log, and reported from the store next time without running', async () => {
  const sb = jobsTree(2);
  const runner = new FakeCommandRunner((j) =>
    j.file === 'jobs/a2.txt' ? { status: 'failed', log: 'a2 is wrong\n' } : { status: 'passed' },
  );
  const report = await runInProcess(sb, runner).result;
  const failed = report.jobs.find((j) => j.path === 'jobs/a2.txt')!;
  expect(failed.status).toBe('failed');
  expect(failed.log).not.toBeNull();

  const next = passAll();
  const again = await runInProcess(sb, next).result;
  expect(next.started).toEqual([]);
  expect(again.jobs.map((j) => [j.path, j.status, j.log])).toEqual([['jobs/a2.txt', 'cached-failure', failed.log]]);
});

test("issue 13: no more jobs run at once than make's tokens allow, and every token comes back", async () => {
  const sb = jobsTree(5);
  const make = new FifoJobserver(sb, 1); // one token in the fifo, and runner's implicit one: two at once
  const runner = new FakeCommandRunner();
  const { result } = runInProcess(sb, runner, { env: { MAKEFLAGS: make.makeflags } });
  for (let done = 0; done < 5; done++) {
    const file = await waitFor('a job to wait for its end', () => runner.waiting[0]);
    runner.finish(file, { status: 'passed' });
  }
  const report = await result;
  expect(report.counts).toMatchObject({ ran: 5, passed: 5 });
  expect(runner.peak).toBeLessThanOrEqual(2);
  expect(make.count()).toBe(1);
});

test('issue 13: with failFast nothing starts after a failure, the jobs already running finish and are recorded', async () => {
  const sb = jobsTree(5, { failFast: true });
  const make = new FifoJobserver(sb, 1);
  const runner = new FakeCommandRunner();
  const { result } = runInProcess(sb, runner, { env: { MAKEFLAGS: make.makeflags } });
  await waitFor('two jobs running', () => runner.waiting.length === 2);
  const [first, second] = runner.waiting as [string, string];
  runner.finish(first, { status: 'failed', log: 'no\n' });
  // The failed job's token went back after its result was recorded: the loop saw the failure and started nothing.
  await waitFor('the failure recorded', () => runner.started.length === 2 && runner.waiting.length === 1);
  runner.finish(second, { status: 'passed' });
  const report = await result;
  expect(runner.started).toHaveLength(2);
  expect(report.counts).toMatchObject({ ran: 2, failed: 1, passed: 1, notStarted: 3 });
  expect(report.jobs.filter((j) => j.status === 'not-started')).toHaveLength(3);
  expect(make.count()).toBe(1);
});

test('issue 13: an abort ends the running jobs as interrupted, starts no other, records none of them, and gives every token back', async () => {
  const sb = jobsTree(5);
  const make = new FifoJobserver(sb, 1);
  const runner = new FakeCommandRunner();
  const abort = new AbortController();
  const { result } = runInProcess(sb, runner, { env: { MAKEFLAGS: make.makeflags }, signal: abort.signal });
  await waitFor('two jobs running', () => runner.waiting.length === 2);
  runner.finish(runner.waiting[0]!, { status: 'passed' });
  await waitFor('the third job running', () => runner.started.length === 3 && runner.waiting.length === 2);
  abort.abort('SIGINT');
  const report = await result;
  expect(report.interrupted).toBe('SIGINT');
  expect(runner.started).toHaveLength(3);
  expect(report.counts).toMatchObject({ ran: 1, passed: 1, interrupted: 2, notStarted: 2 });
  expect(runner.idleCalls).toBe(1);
  expect(make.count()).toBe(1);

  // Interrupted jobs have no result to skip them by: the next run runs them, and the two never started.
  const next = passAll();
  await runInProcess(sb, next).result;
  expect(next.started).toHaveLength(4);
});

test('issue 13: a recorder error stops the build, the running job still ends, run() rejects, and every token comes back', async () => {
  const sb = jobsTree(5);
  const make = new FifoJobserver(sb, 1);
  const runner = new FakeCommandRunner();
  const { result } = runInProcess(sb, runner, { env: { MAKEFLAGS: make.makeflags } });
  await waitFor('two jobs running', () => runner.waiting.length === 2);
  const [first, second] = runner.waiting as [string, string];
  // Its log is gone before the recorder moves it into place: the rename throws.
  runner.finish(first, { status: 'passed', log: 'ok\n', logVanishes: true });
  await waitFor('the error seen', () => runner.waiting.length === 1);
  expect(runner.started).toHaveLength(2);
  runner.finish(second, { status: 'passed' });
  await expect(result).rejects.toMatchObject({ code: 'ENOENT' });
  expect(runner.started).toHaveLength(2);
  expect(runner.idleCalls).toBe(1);
  expect(make.count()).toBe(1);
});

test('issue 13: a job runner could not run is reported as failed and not recorded, so the next run runs it again', async () => {
  const sb = jobsTree(1);
  const runner = new FakeCommandRunner(() => ({ status: 'failed', runnerFault: 'could not start cat (EAGAIN)' }));
  const { reporter, result } = runInProcess(sb, runner);
  const report = await result;
  expect(report.counts).toMatchObject({ ran: 1, failed: 1 });
  expect(reporter.warnings).toEqual([
    'check jobs/a1.txt: could not start cat (EAGAIN); not recorded, it runs again next time',
  ]);
  const next = passAll();
  await runInProcess(sb, next).result;
  expect(next.started.map((j) => j.file)).toEqual(['jobs/a1.txt']);
});

test('issue 13: one event stream: the plan, the tokens held before any job starts, each job, its cached failure next time, and run-finished last with the report run() returns', async () => {
  const sb = jobsTree(2);
  const runner = new FakeCommandRunner((j) =>
    j.file === 'jobs/a2.txt' ? { status: 'failed', log: 'no\n' } : { status: 'passed' },
  );
  const { reporter, result } = runInProcess(sb, runner);
  const report = await result;
  // How the scan went (issue 17: the walk or watchman) is said once, before the plan.
  expect(reporter.sequence.filter((e) => e === 'scan-path')).toHaveLength(1);
  expect(reporter.sequence.indexOf('scan-path')).toBeLessThan(reporter.sequence.indexOf('planned'));
  const seq = reporter.sequence.filter((e) => e !== 'warning' && e !== 'scan-path');
  // First how outputs show a staged tree's paths, said before anything runs.
  expect(seq.slice(0, 3)).toEqual(['staged-roots', 'planned', 'tokens-held']);
  expect(
    seq
      .slice(3, -1)
      .filter((e) => e.startsWith('started'))
      .sort(),
  ).toEqual(['started jobs/a1.txt', 'started jobs/a2.txt']);
  expect(
    seq
      .slice(3, -1)
      .filter((e) => !e.startsWith('started'))
      .sort(),
  ).toEqual(['failed jobs/a2.txt', 'passed jobs/a1.txt']);
  expect(seq.at(-1)).toBe('run-finished');
  const last = reporter.events.at(-1)!;
  expect(last.type === 'run-finished' && last.report).toBe(report);
  const held = reporter.events.find((e) => e.type === 'tokens-held');
  expect(held?.type === 'tokens-held' && typeof held.releaseAll).toBe('function');

  // Said before anything runs, and no job starts: nothing holds a token.
  const again = runInProcess(sb, passAll());
  await again.result;
  expect(again.reporter.sequence.filter((e) => e !== 'warning' && e !== 'scan-path')).toEqual([
    'staged-roots',
    'planned',
    'cached-failure jobs/a2.txt',
    'run-finished',
  ]);
});
