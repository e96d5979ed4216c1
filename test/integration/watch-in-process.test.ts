// watch() called in this process with a fake command runner: each cycle's
// jobs go through the injected runner, and an abort ends the watch, also in
// the middle of a cycle. The file watcher and the state directory are real.
import { expect, test } from 'vitest';
import { FakeCommandRunner } from '../helpers/fake-command-runner.js';
import { jobsTree, watchInProcess } from '../helpers/in-process.js';
import { waitFor, writeText } from '../helpers/sandbox.js';

test("issue 13: a watch runs the first cycle and then only the changed file's job through the injected command runner", async () => {
  const sb = jobsTree(3);
  const runner = new FakeCommandRunner(() => ({ status: 'passed' }));
  const abort = new AbortController();
  const w = watchInProcess(sb, runner, abort.signal);
  await waitFor('the first cycle', () => w.cycles.length === 1);
  expect(w.cycles[0]!.report.counts).toMatchObject({ ran: 3, passed: 3 });
  writeText(sb, 'jobs/a2.txt', 'job 2, changed\n');
  await waitFor('the second cycle', () => w.cycles.length === 2);
  expect(w.cycles[1]!.report.jobs.map((j) => [j.path, j.status])).toEqual([['jobs/a2.txt', 'passed']]);
  expect(runner.started.map((j) => j.file).slice(3)).toEqual(['jobs/a2.txt']);
  abort.abort('SIGINT');
  expect(await w.result).toEqual({ cycles: 2, interrupted: 'SIGINT' });
  expect(w.said).toEqual(['cycleStarted 1', 'cycleStarted 2']);
  expect(runner.idleCalls).toBe(2);
});

test('issue 13: an abort in the middle of a watch cycle ends its running job as interrupted and ends the watch', async () => {
  const sb = jobsTree(2, { jobs: 1 });
  const runner = new FakeCommandRunner();
  const abort = new AbortController();
  const w = watchInProcess(sb, runner, abort.signal);
  await waitFor('the first job running', () => runner.waiting.length === 1);
  runner.finish(runner.waiting[0]!, { status: 'passed' });
  await waitFor('the second job running', () => runner.started.length === 2 && runner.waiting.length === 1);
  abort.abort('SIGTERM');
  expect(await w.result).toEqual({ cycles: 1, interrupted: 'SIGTERM' });
  expect(w.cycles[0]!.report.counts).toMatchObject({ ran: 1, passed: 1, interrupted: 1 });
});
