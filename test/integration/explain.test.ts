// `runner explain FILE`: per tool fresh / stale (with every reason) / cached failure / not selected.
import { expect, test } from 'vitest';
import { baseEnv, runJson, runRunner, show, type ExplainJson } from '../helpers/cli.js';
import { addProbe, readProbeLog } from '../helpers/probe.js';
import { appendText, useFixture, writeText } from '../helpers/sandbox.js';

function byTool(json: ExplainJson) {
  return new Map(json.tools.map((t) => [t.tool, t]));
}

test('after a run every applicable tool is fresh with its last result, and the others are not selected', async () => {
  const sb = useFixture('python-demo');
  addProbe(sb);
  const run = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(run.code, show(run)).toBe(0);
  const runEnded = Date.now();

  const { res, json } = await runJson<ExplainJson>(['explain', 'calc/ops.py'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(json).toMatchObject({ command: 'explain', file: 'calc/ops.py', tracked: true });
  const tools = byTool(json);
  expect([...tools.keys()].sort()).toEqual(['probe', 'style', 'syntax', 'test']);
  for (const name of ['syntax', 'style', 'probe']) {
    const tool = tools.get(name)!;
    expect(tool.state, name).toBe('fresh');
    expect(tool.reasons).toEqual([]);
    expect(tool.last).toMatchObject({ status: 'passed', exitCode: 0 });
    expect(tool.last!.finishedAt).toBeLessThanOrEqual(runEnded);
    expect(tool.last!.finishedAt).toBeGreaterThan(runEnded - 120_000);
  }
  expect(tools.get('test')!.state).toBe('not-selected');
  expect(readProbeLog(sb).started).toHaveLength(6);
});

test('explain names a content change with both digests, and runs nothing', async () => {
  const sb = useFixture('python-demo');
  addProbe(sb);
  const run = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(run.code, show(run)).toBe(0);
  appendText(sb, 'calc/ops.py', '# changed\n');

  const { res, json } = await runJson<ExplainJson>(['explain', 'calc/ops.py'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  const syntax = byTool(json).get('syntax')!;
  expect(syntax.state).toBe('stale');
  expect(syntax.reasons).toHaveLength(1);
  const reason = syntax.reasons[0]!;
  expect(reason.kind).toBe('content');
  expect(typeof reason.from).toBe('string');
  expect(typeof reason.to).toBe('string');
  expect(reason.from).not.toBe(reason.to);

  const text = await runRunner(['explain', 'calc/ops.py'], { cwd: sb.tree, env: baseEnv() });
  expect(text.code, show(text)).toBe(0);
  expect(text.stdout).toContain('content changed');
  expect(text.stdout).toContain('not selected');
  expect(readProbeLog(sb).started).toHaveLength(6);

  // explain only reads: the following run still sees the change.
  const next = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  // calc/ops.py's three jobs, and the two tests that import it ("deps": "python").
  expect(next.json.counts.ran).toBe(5);
});

test('explain names a changed tool input by path', async () => {
  const sb = useFixture('python-demo');
  const run = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(run.code, show(run)).toBe(0);
  writeText(sb, 'setup.cfg', '[linelen]\nmax-line-length = 100\n');

  const { json } = await runJson<ExplainJson>(['explain', 'calc/stats.py'], { cwd: sb.tree, env: baseEnv() });
  const tools = byTool(json);
  expect(tools.get('style')!.state).toBe('stale');
  expect(tools.get('style')!.reasons).toHaveLength(1);
  expect(tools.get('style')!.reasons[0]).toMatchObject({ kind: 'tool-input', path: 'setup.cfg' });
  expect(tools.get('syntax')!.state).toBe('fresh');
});

test('explain shows an unchanged failing job as a cached failure', async () => {
  const sb = useFixture('python-demo');
  addProbe(sb);
  appendText(sb, 'calc/ops.py', '# PROBE_FAIL\n');
  const run = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(run.code, show(run)).toBe(1);

  const { res, json } = await runJson<ExplainJson>(['explain', 'calc/ops.py'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  const probe = byTool(json).get('probe')!;
  expect(probe.state).toBe('cached-failure');
  expect(probe.last).toMatchObject({ status: 'failed', exitCode: 1 });
  expect(byTool(json).get('syntax')!.state).toBe('fresh');
});
