// Paths named on the command line, in the tree's form (src/tree-path.ts).
import { expect, test } from 'vitest';
import { baseEnv, runJson, runRunner, show, type ExplainJson } from '../helpers/cli.js';
import { probeOnly, readProbeLog } from '../helpers/probe.js';
import { useFixture, writeText } from '../helpers/sandbox.js';

test('issue 13: a file whose name begins with two dots is in the tree: run and explain take it', async () => {
  const sb = useFixture('python-demo');
  probeOnly(sb);
  writeText(sb, '..hidden.py', 'x = 1\n');

  const run = await runRunner(['run', '..hidden.py'], { cwd: sb.tree, env: baseEnv() });
  expect(run.code, show(run)).toBe(0);
  expect(readProbeLog(sb).started).toEqual(['..hidden.py']);

  const { res, json } = await runJson<ExplainJson>(['explain', '..hidden.py'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(json).toMatchObject({ file: '..hidden.py', tracked: true });
  expect(json.tools.map((t) => [t.tool, t.state])).toEqual([['probe', 'fresh']]);
});

test('a file above the source tree is still refused by name', async () => {
  const sb = useFixture('python-demo');
  probeOnly(sb);
  const run = await runRunner(['run', '../elsewhere.py'], { cwd: sb.tree, env: baseEnv() });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(`../elsewhere.py is outside the source tree ${sb.tree}`);
  expect(readProbeLog(sb).started).toEqual([]);
});
