// run() in this process, with a fake command runner, over a tool whose
// program is a version manager's shim (test/helpers/shims.ts): jobs started
// ahead of the plan (api/early-start.ts) are stopped, and none of them is
// recorded, when the run stops before its plan.
import { expect, test } from 'vitest';
import { type RunnerEvent, run } from '../../src/api.js';
import { FakeCommandRunner } from '../helpers/fake-command-runner.js';
import { runInProcess } from '../helpers/in-process.js';
import { useFixture, waitFor, writeConfig, writeText } from '../helpers/sandbox.js';
import { selfMadePyenv } from '../helpers/shims.js';

test('issue 14: a run that stops after starting its cold jobs ahead of the plan stops them and records none', async () => {
  const sb = useFixture('python-demo');
  const layout = selfMadePyenv(sb);
  writeText(sb, '.python-version', `${layout.versions[0]}\n`);
  writeConfig(sb, {
    include: ['calc/**/*.py'],
    passEnv: [],
    env: { PATH: [layout.shims, '/usr/bin', '/bin'].join(':') },
    tools: [{ name: 'check', command: ['python3', '-c', 'pass', '{file}'] }],
  });
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };
  const first = new FakeCommandRunner(); // jobs end only when told, or when the run stops them
  const seen: string[] = [];
  const stopped = new Error('the sink stops the run at its first save');
  const result = run({
    cwd: sb.tree,
    env,
    serveJobserver: false,
    commandRunner: first,
    events: {
      emit(e: RunnerEvent) {
        seen.push(e.type);
        // The first save comes after the manager's answer: the jobs started before it.
        if (e.type === 'phase-started' && e.phase === 'save') throw stopped;
      },
    },
  });
  result.catch(() => {});
  await expect(result).rejects.toBe(stopped);
  expect(first.started.length, 'jobs started before the plan').toBeGreaterThan(0);
  expect(first.running, 'every job it started was stopped').toBe(0);
  expect(seen).not.toContain('job-finished');

  // Nothing of them was recorded: the next run runs every job.
  const second = new FakeCommandRunner(() => ({ status: 'passed' }));
  const report = await runInProcess(sb, second, { env: { PATH: env.PATH } }).result;
  const again = second.started.map((j) => j.file);
  for (const j of first.started) expect(again).toContain(j.file);
  expect(report.counts).toMatchObject({ ran: second.started.length, fresh: 0 });
  await waitFor('nothing left running', () => second.running === 0);
});
