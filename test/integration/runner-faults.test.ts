// What runner itself gets wrong is never a job's result: a timeout Node cannot
// set is a config error, and a job runner could not start is not cached.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { baseEnv, runJson, runRunner, show } from '../helpers/cli.js';
import { PROBE_SCRIPT, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

test("issue 10: a timeout above Node's timer limit is a config error naming the key, the value and the limit; nothing is recorded", async () => {
  const sb = useFixture('python-demo');
  writeConfig(sb, {
    include: ['**/*.py'],
    env: { PROBE_DIR: sb.scratch },
    tools: [
      { name: 'probe', command: ['node', PROBE_SCRIPT, '{file}'] },
      { name: 'slow', command: ['node', PROBE_SCRIPT, '{file}'], timeout: 3_000_000 },
    ],
  });
  const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(2);
  expect(res.stderr).toBe(
    'runner: error: .runnerrc.json: tools[1].timeout is 3000000; expected at most 2147483 seconds ' +
      '(about 24.8 days, the longest timer Node can set); omit "timeout" or use null for no limit\n',
  );
  expect(readProbeLog(sb).started).toEqual([]);
  expect(fs.existsSync(path.join(sb.tree, '.runner', 'manifest.db'))).toBe(false);
});

test('a timeout at the limit is accepted and does not kill the job', async () => {
  const sb = useFixture('python-demo');
  writeConfig(sb, {
    include: ['calc/ops.py'],
    env: { PROBE_DIR: sb.scratch },
    tools: [{ name: 'probe', command: ['node', PROBE_SCRIPT, '{file}'], timeout: 2_147_483 }],
  });
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(json.counts.passed).toBe(1);
  expect(readProbeLog(sb).finished).toEqual(['calc/ops.py']);
});

/** A tool that is a script whose interpreter does not exist yet: the kernel refuses to start it. */
function unstartable(deps: 'none' | 'trace'): { sb: ReturnType<typeof useFixture>; interp: string } {
  const sb = useFixture('python-demo');
  const interp = path.join(sb.scratch, 'bin', 'interp');
  writeText(sb, 'tools/check', `#!${interp}\n`);
  fs.chmodSync(path.join(sb.tree, 'tools/check'), 0o755);
  writeConfig(sb, {
    include: ['calc/ops.py'],
    env: { PROBE_DIR: sb.scratch },
    tools: [{ name: 'check', command: ['tools/check', '{file}'], deps }],
  });
  return { sb, interp };
}

/** The interpreter appears; the tool itself is untouched, so its latch is the same. */
function installInterpreter(interp: string): void {
  fs.mkdirSync(path.dirname(interp));
  fs.writeFileSync(interp, `#!/bin/sh\nexec node ${JSON.stringify(PROBE_SCRIPT)} "$2"\n`);
  fs.chmodSync(interp, 0o755);
}

test('issue 10: a job whose program could not be started is reported failed but not cached: it runs once it can', async () => {
  const { sb, interp } = unstartable('none');
  // spawn fails with ENOENT: runner knows the job never started.
  const first = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(first.res.code, show(first.res)).toBe(1);
  expect(first.json.counts.failed).toBe(1);
  expect(first.res.stderr).toContain('runner: warning: check calc/ops.py: cannot start ');
  expect(first.res.stderr).toContain('not recorded, it runs again next time');

  installInterpreter(interp);
  const second = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(second.res.code, show(second.res)).toBe(0);
  expect(readProbeLog(sb).finished).toEqual(['calc/ops.py']);
  expect(second.json.counts.passed).toBe(1);
});

test('issue 10: a traced job whose program could not be started is no cached failure: it runs once it can', async () => {
  const { sb, interp } = unstartable('trace');
  // strace starts, then fails to exec the tool: the trace holds no file at all, not even the program's own.
  const first = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(first.res.code, show(first.res)).toBe(1);
  expect(first.json.counts.failed).toBe(1);

  installInterpreter(interp);
  const second = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(second.res.code, show(second.res)).toBe(0);
  expect(readProbeLog(sb).finished).toEqual(['calc/ops.py']);
  expect(second.json.counts.passed).toBe(1);
});

test('a job log runner cannot write stops the run with an error naming it, exit 2, and the job is not recorded', async () => {
  const sb = useFixture('python-demo');
  writeConfig(sb, {
    include: ['calc/ops.py'],
    env: { PROBE_DIR: sb.scratch },
    tools: [{ name: 'probe', command: ['node', PROBE_SCRIPT, '{file}'] }],
  });
  const first = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(first.res.code, show(first.res)).toBe(0);
  const logs = path.join(sb.tree, '.runner', 'logs');
  const [log] = fs.readdirSync(logs);
  expect(log).toBeDefined();
  // A job forced again writes a fresh log under running/; a directory there that takes no new file stops it.
  const running = path.join(sb.tree, '.runner', 'running');
  fs.chmodSync(running, 0o555);
  const res = await runRunner(['run', '--force'], { cwd: sb.tree, env: baseEnv(), withoutDac: true });
  fs.chmodSync(running, 0o755);
  expect(res.code, show(res)).toBe(2);
  expect(res.stderr).toMatch(
    new RegExp(
      `runner: error: state directory ${running}/\\d+-1\\.log: cannot write a job's log \\(EACCES: permission denied\\)`,
    ),
  );
  resetProbeLog(sb);
  // The earlier result stays, with its log untouched (issue 12): the job is fresh.
  expect(fs.readdirSync(logs)).toEqual([log]);
  const after = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(after.res.code, show(after.res)).toBe(0);
  expect(after.json.counts).toMatchObject({ ran: 0, fresh: 1 });
  expect(readProbeLog(sb).finished).toEqual([]);
});
