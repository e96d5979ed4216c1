// `runner run`: failing jobs, cached failures, --rerun-failed, --fail-fast, timeouts, --merged-log.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, jobKeys, runJson, runRunner, show, type RunJson } from '../helpers/cli.js';
import { TEST_FILES, keysFor } from '../helpers/python-demo.js';
import { addProbe, probeOnly, readProbeLog, resetProbeLog, setProbeControl } from '../helpers/probe.js';
import { passingRun } from '../helpers/runs.js';
import {
  appendText,
  beforeSandboxRemoval,
  isProcessAlive,
  readConfig,
  readText,
  useFixture,
  waitFor,
  writeConfig,
  writeText,
  type Sandbox,
} from '../helpers/sandbox.js';

describe('failures', () => {
  async function failingRun(sb: Sandbox): Promise<RunJson> {
    addProbe(sb);
    appendText(sb, 'calc/ops.py', '# PROBE_FAIL\n');
    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(1);
    resetProbeLog(sb);
    return json;
  }

  test('a failing job exits 1 and its log holds the tool output', async () => {
    const sb = useFixture('python-demo');
    const json = await failingRun(sb);
    expect(json.exitCode).toBe(1);
    expect(json.counts).toMatchObject({ jobs: 19, ran: 19, passed: 18, failed: 1 });
    const failed = json.jobs.filter((j) => j.status === 'failed');
    expect(jobKeys(failed)).toEqual(['probe calc/ops.py']);
    expect(failed[0]!.exitCode).toBe(1);
    expect(fs.readFileSync(path.join(sb.tree, failed[0]!.log!), 'utf8')).toContain('probe: failing calc/ops.py');
  });

  test('an unchanged failing job reports its stored log and is not rerun', async () => {
    const sb = useFixture('python-demo');
    await failingRun(sb);

    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(1);
    expect(json.exitCode).toBe(1);
    expect(json.counts).toMatchObject({ ran: 0, cachedFailures: 1, fresh: 18, failed: 0 });
    expect(json.jobs).toHaveLength(1);
    expect(json.jobs[0]).toMatchObject({ tool: 'probe', file: 'calc/ops.py', status: 'cached-failure', exitCode: 1 });
    expect(readProbeLog(sb).started).toEqual([]);

    const plain = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(plain.code, show(plain)).toBe(1);
    expect(plain.stdout).toMatch(/^FAIL probe calc\/ops\.py \(cached failure, exit 1/m);
    expect(plain.stdout).toContain('  | probe: failing calc/ops.py');
    expect(plain.stdout.trimEnd().split('\n').at(-1)).toMatch(/^runner: /);
    expect(readProbeLog(sb).started).toEqual([]);
  });

  test('--rerun-failed runs a cached failure again, and only it', async () => {
    const sb = useFixture('python-demo');
    await failingRun(sb);

    const { res, json } = await runJson(['run', '--rerun-failed'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(1);
    expect(jobKeys(json.jobs)).toEqual(['probe calc/ops.py']);
    expect(json.jobs[0]).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(json.jobs[0]!.reasons).toContain('rerun-failed');
    expect(json.counts).toMatchObject({ ran: 1, failed: 1, cachedFailures: 0 });
    expect(readProbeLog(sb).started).toEqual(['calc/ops.py']);
  });

  test('fixing a failing file makes the next run pass', async () => {
    const sb = useFixture('python-demo');
    await failingRun(sb);
    writeText(sb, 'calc/ops.py', readText(sb, 'calc/ops.py').replace('# PROBE_FAIL\n', '# fixed\n'));

    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    // The tests import calc/ops.py ("deps": "python"), so they run too.
    expect(jobKeys(json.jobs)).toEqual(
      [...keysFor('calc/ops.py', ['syntax', 'style', 'probe']), ...TEST_FILES.map((f) => `test ${f}`)].sort(),
    );
    for (const job of json.jobs) expect(job.status).toBe('passed');
    expect(json.counts).toMatchObject({ failed: 0, cachedFailures: 0 });

    const again = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(again.res.code, show(again.res)).toBe(0);
    expect(again.json.counts).toMatchObject({ ran: 0, cachedFailures: 0 });
  });

  test('a real unittest failure in the fixture fails its test job', async () => {
    const sb = useFixture('python-demo');
    await passingRun(sb);
    writeText(
      sb,
      'tests/test_ops.py',
      readText(sb, 'tests/test_ops.py').replace('ops.add(2, 3), 5', 'ops.add(2, 3), 6'),
    );

    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(1);
    const byKey = new Map(json.jobs.map((j) => [`${j.tool} ${j.file}`, j]));
    expect([...byKey.keys()].sort()).toEqual(keysFor('tests/test_ops.py', ['syntax', 'style', 'test']));
    expect(byKey.get('test tests/test_ops.py')).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(byKey.get('syntax tests/test_ops.py')!.status).toBe('passed');
    const log = fs.readFileSync(path.join(sb.tree, byKey.get('test tests/test_ops.py')!.log!), 'utf8');
    expect(log).toContain('AssertionError: 5 != 6');
  });

  test('--fail-fast with -j 1 starts no job after the first failure', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    setProbeControl(sb, 'fail', '*');

    const { res, json } = await runJson(['run', '-j', '1', '--fail-fast'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(1);
    const log = readProbeLog(sb);
    expect(log.started).toHaveLength(1);
    expect(json.counts).toMatchObject({ jobs: 6, ran: 1, failed: 1, notStarted: 5 });
    expect(json.jobs.filter((j) => j.status === 'not-started')).toHaveLength(5);
    expect(json.jobs.filter((j) => j.status === 'failed').map((j) => j.file)).toEqual(log.started);
  });

  test('without --fail-fast every job runs despite failures', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    setProbeControl(sb, 'fail', '*');

    const { res, json } = await runJson(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(1);
    expect(readProbeLog(sb).started).toHaveLength(6);
    expect(json.counts).toMatchObject({ ran: 6, failed: 6, notStarted: 0 });
  });

  test('a tool timeout kills the job whole process group and counts the job failed', async () => {
    const sb = useFixture('python-demo');
    const pidFile = path.join(sb.scratch, 'sleep.pid');
    const config = readConfig(sb);
    config.tools = [
      {
        name: 'hang',
        // The background sleep is the job's grandchild; only a process-group kill reaches it. It outlives the
        // test's own timeout: a runner that waited for it would fail the test, however fast the machine.
        command: `sleep 300 >/dev/null 2>&1 & echo $! > ${pidFile}; echo started {file}; wait`,
        include: ['calc/ops.py'],
        timeout: 3, // time enough to write the pid file first, even on a busy machine
      },
    ];
    writeConfig(sb, config);
    beforeSandboxRemoval(() => {
      const pid = Number(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8') : 0);
      if (pid > 0 && isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    });

    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(1);
    expect(jobKeys(json.jobs)).toEqual(['hang calc/ops.py']);
    expect(json.jobs[0]!.status).toBe('failed');
    expect(json.counts).toMatchObject({ ran: 1, failed: 1 });

    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    expect(pid).toBeGreaterThan(0);
    await waitFor(`the background sleep (pid ${pid}) to be killed`, () => !isProcessAlive(pid));
  });

  test('--merged-log FILE writes each failure log under a header', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    setProbeControl(sb, 'fail', 'calc/ops.py\ncalc/stats.py');
    const merged = path.join(sb.scratch, 'failures.log');

    const { res, json } = await runJson(['run', '--merged-log', merged], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(1);
    expect(json.counts).toMatchObject({ ran: 6, failed: 2 });
    const lines = fs.readFileSync(merged, 'utf8').split('\n');
    const failing = ['calc/ops.py', 'calc/stats.py'];
    const headerOf = (f: string) => lines.findIndex((l) => l.includes(f) && !l.includes('probe: failing'));
    const logOf = (f: string) => lines.findIndex((l) => l.includes(`probe: failing ${f}`));
    for (const f of failing) {
      expect(headerOf(f), `header for ${f}`).toBeGreaterThanOrEqual(0);
      expect(logOf(f), `log of ${f} after its header`).toBeGreaterThan(headerOf(f));
      const other = failing.find((g) => g !== f)!;
      const otherHeader = headerOf(other);
      expect(otherHeader > headerOf(f) && otherHeader < logOf(f), `${other} header between ${f} header and log`).toBe(
        false,
      );
    }
    expect(lines.some((l) => l.includes('probe: ok'))).toBe(false);
  });
});
