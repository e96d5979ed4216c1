// `runner run` interrupted by SIGINT / SIGTERM: exit codes, killed jobs, and what the
// next run still has to do. Deterministic: with -j 1 the probe lets the first K jobs
// finish and hangs the next one; the signal goes out only once the log shows that job started.
import { expect, test } from 'vitest';
import { baseEnv, jobKeys, runJson, show, startRunner, type RunJson } from '../helpers/cli.js';
import { PY_FILES } from '../helpers/python-demo.js';
import { probeOnly, readProbeLog, resetProbeLog, setProbeControl, type ProbeLog } from '../helpers/probe.js';
import { beforeSandboxRemoval, isProcessAlive, useFixture, waitFor, type Sandbox } from '../helpers/sandbox.js';

const FINISHED_BEFORE_SIGNAL = 2;

/** Starts `runner run -j 1` and sends `signal` while job K+1 hangs; returns the probe log at that moment. */
async function interruptAfter(sb: Sandbox, signal: NodeJS.Signals, extraArgs: string[] = []) {
  probeOnly(sb);
  setProbeControl(sb, 'hang-after', String(FINISHED_BEFORE_SIGNAL));
  const running = startRunner(['run', '-j', '1', ...extraArgs], { cwd: sb.tree, env: baseEnv() });
  const atSignal = await waitFor<ProbeLog>(`job ${FINISHED_BEFORE_SIGNAL + 1} to start`, () => {
    const log = readProbeLog(sb);
    return log.started.length > FINISHED_BEFORE_SIGNAL ? log : undefined;
  });
  expect(atSignal.finished).toHaveLength(FINISHED_BEFORE_SIGNAL);
  running.child.kill(signal);
  const res = await running.result;
  // The hung job sleeps 30 s: had runner waited for it to end, its end would be in the log by now.
  const atExit = readProbeLog(sb);
  const hung = atSignal.started[FINISHED_BEFORE_SIGNAL]!;
  const hungPid = atSignal.pids.get(hung)!;
  beforeSandboxRemoval(() => {
    if (isProcessAlive(hungPid)) process.kill(hungPid, 'SIGKILL');
  });
  return { res, atSignal, atExit, hung, hungPid };
}

test('SIGINT mid-run exits 130, kills the running job, and the next run runs only the jobs that had not finished', async () => {
  const sb = useFixture('python-demo');
  const { res, atSignal, atExit, hung, hungPid } = await interruptAfter(sb, 'SIGINT');
  expect(res.code, show(res)).toBe(130);
  expect(atExit.finished).toEqual(atSignal.finished);
  await waitFor(`the interrupted job (pid ${hungPid}) to be killed`, () => !isProcessAlive(hungPid));
  expect(readProbeLog(sb).finished).toEqual(atSignal.finished);

  setProbeControl(sb, 'hang-after', null);
  resetProbeLog(sb);
  const { res: next, json } = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(next.code, show(next)).toBe(0);
  const unfinished = PY_FILES.filter((f) => !atSignal.finished.includes(f));
  expect(unfinished).toHaveLength(PY_FILES.length - FINISHED_BEFORE_SIGNAL);
  expect(jobKeys(json.jobs)).toEqual(unfinished.map((f) => `probe ${f}`).sort());
  expect(json.counts).toMatchObject({
    ran: unfinished.length,
    passed: unfinished.length,
    fresh: FINISHED_BEFORE_SIGNAL,
  });
  expect(readProbeLog(sb).started.sort()).toEqual(unfinished);
  expect(json.jobs.find((j) => j.file === hung)!.reasons).toContain('interrupted');
});

test('an interrupted --json run still prints one JSON object with exit code 130', async () => {
  const sb = useFixture('python-demo');
  const { res } = await interruptAfter(sb, 'SIGINT', ['--json']);
  expect(res.code, show(res)).toBe(130);
  const json = JSON.parse(res.stdout) as RunJson;
  expect(json.exitCode).toBe(130);
  expect(json.counts).toMatchObject({
    jobs: PY_FILES.length,
    passed: FINISHED_BEFORE_SIGNAL,
    interrupted: 1,
    notStarted: PY_FILES.length - FINISHED_BEFORE_SIGNAL - 1,
  });
  expect(json.jobs.filter((j) => j.status === 'not-started')).toHaveLength(
    PY_FILES.length - FINISHED_BEFORE_SIGNAL - 1,
  );
});

test('SIGTERM mid-run exits 143 and keeps the finished jobs recorded', async () => {
  const sb = useFixture('python-demo');
  const { res, atSignal, atExit, hungPid } = await interruptAfter(sb, 'SIGTERM');
  expect(res.code, show(res)).toBe(143);
  expect(atExit.finished).toEqual(atSignal.finished);
  await waitFor(`the interrupted job (pid ${hungPid}) to be killed`, () => !isProcessAlive(hungPid));
  expect(readProbeLog(sb).finished).toEqual(atSignal.finished);

  setProbeControl(sb, 'hang-after', null);
  resetProbeLog(sb);
  const { res: next } = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(next.code, show(next)).toBe(0);
  expect(readProbeLog(sb).started.sort()).toEqual(PY_FILES.filter((f) => !atSignal.finished.includes(f)));
});

test('output closed under a run (`runner run | head -1`) stops it as SIGPIPE would: exit 141, no job left, the rest still stale', async () => {
  const sb = useFixture('python-demo');
  probeOnly(sb);
  const running = startRunner(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  await waitFor('the first job line', () => (running.stdout().includes('\n') ? true : undefined));
  running.child.stdout!.destroy();
  const res = await running.result;
  expect(res.code, show(res)).toBe(141);
  const log = readProbeLog(sb);
  for (const pid of log.pids.values()) expect(isProcessAlive(pid)).toBe(false);
  const { json } = await runJson(['run', '--dry-run'], { cwd: sb.tree, env: baseEnv() });
  // Every job that finished is recorded; the others were not run, and would run now.
  expect(json.counts.fresh).toBe(log.finished.length);
  expect(json.jobs.filter((j) => j.status === 'would-run')).toHaveLength(PY_FILES.length - log.finished.length);
  expect(json.jobs.length).toBeGreaterThan(0);
});
