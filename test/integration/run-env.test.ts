// `runner run`: the environment tools see, and how passEnv values make jobs stale.
import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { baseEnv, jobKeys, runJson, runRunner, show } from '../helpers/cli.js';
import { PROBED_JOBS, PY_FILES } from '../helpers/python-demo.js';
import { addProbe, probeEnvOf, readProbeLog } from '../helpers/probe.js';
import { passingRun } from '../helpers/runs.js';
import { useFixture, writeConfig, type Sandbox } from '../helpers/sandbox.js';

describe('environment', () => {
  function withDemoPassEnv(sb: Sandbox): void {
    const config = addProbe(sb);
    config.passEnv = ['PATH', 'HOME', 'DEMO'];
    writeConfig(sb, config);
  }

  test("a tool sees exactly the config env, the passEnv variables, PYTHONPATH, runner's jobserver and its watchdog mark", async () => {
    const sb = useFixture('python-demo');
    withDemoPassEnv(sb);
    await passingRun(sb, baseEnv({ DEMO: 'one', UNRELATED: 'x' }));
    const env = probeEnvOf(sb, 'calc/ops.py');
    expect(Object.keys(env).sort()).toEqual([
      'DEMO',
      'HOME',
      'LANG',
      'MAKEFLAGS',
      'PATH',
      'PROBE_DIR',
      'PYTHONPATH',
      'RUNNER_JOB_MARK',
    ]);
    // runner alone with -j above 1 serves a jobserver to its jobs, pipe style at 3,4.
    expect(env.MAKEFLAGS).toMatch(/^ -j\d+ --jobserver-auth=3,4$/);
    expect(env.DEMO).toBe('one');
    expect(env.LANG).toBe('C.UTF-8');
    // One job's: runner's pid, a nonce, a count.
    expect(env.RUNNER_JOB_MARK).toMatch(/^\d+\.[0-9a-f]{8}\.\d+$/);
    expect(env.PATH).toBe(baseEnv().PATH);
    expect(fs.realpathSync(env.PYTHONPATH!)).toBe(fs.realpathSync(sb.tree));
  });

  test('with --no-jobserver a tool sees no MAKEFLAGS', async () => {
    const sb = useFixture('python-demo');
    withDemoPassEnv(sb);
    const res = await runRunner(['run', '--no-jobserver'], { cwd: sb.tree, env: baseEnv({ DEMO: 'one' }) });
    expect(res.code, show(res)).toBe(0);
    expect(Object.keys(probeEnvOf(sb, 'calc/ops.py')).sort()).toEqual([
      'DEMO',
      'HOME',
      'LANG',
      'PATH',
      'PROBE_DIR',
      'PYTHONPATH',
      'RUNNER_JOB_MARK',
    ]);
  });

  test('changing a passEnv variable value reruns every job, and explain names env DEMO', async () => {
    const sb = useFixture('python-demo');
    withDemoPassEnv(sb);
    await passingRun(sb, baseEnv({ DEMO: 'one' }));
    const changed = baseEnv({ DEMO: 'two' });

    const text = await runRunner(['explain', 'calc/ops.py'], { cwd: sb.tree, env: changed });
    expect(text.code, show(text)).toBe(0);
    expect(text.stdout).toContain('env DEMO');
    const explained = await runJson<{
      tools: { tool: string; state: string; reasons: { kind: string; name?: string }[] }[];
    }>(['explain', 'calc/ops.py'], { cwd: sb.tree, env: changed });
    for (const tool of explained.json.tools.filter((t) => t.tool !== 'test')) {
      expect(tool.state, tool.tool).toBe('stale');
      expect(tool.reasons).toContainEqual(expect.objectContaining({ kind: 'env', name: 'DEMO' }));
    }

    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: changed });
    expect(res.code, show(res)).toBe(0);
    expect(jobKeys(json.jobs)).toEqual(PROBED_JOBS);
    for (const job of json.jobs) expect(job.reasons).toEqual(['env']);
    expect(readProbeLog(sb).started.sort()).toEqual(PY_FILES);
    expect(probeEnvOf(sb, 'calc/ops.py').DEMO).toBe('two');
  });

  test('changing a variable that is not in passEnv reruns nothing', async () => {
    const sb = useFixture('python-demo');
    withDemoPassEnv(sb);
    await passingRun(sb, baseEnv({ DEMO: 'one', UNRELATED: 'a' }));

    const { res, json } = await runJson(['run'], {
      cwd: sb.tree,
      env: baseEnv({ DEMO: 'one', UNRELATED: 'b', OTHER: 'c' }),
    });
    expect(res.code, show(res)).toBe(0);
    expect(json.counts.ran).toBe(0);
    expect(readProbeLog(sb).started).toEqual([]);
  });

  test('a passEnv variable set to the empty string differs from an unset one', async () => {
    const sb = useFixture('python-demo');
    withDemoPassEnv(sb);
    await passingRun(sb, baseEnv());

    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv({ DEMO: '' }) });
    expect(res.code, show(res)).toBe(0);
    expect(json.counts.ran).toBe(19);
    for (const job of json.jobs) expect(job.reasons).toEqual(['env']);
  });
});
