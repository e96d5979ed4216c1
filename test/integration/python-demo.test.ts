// The 30-second start's fixture teaches the safe config (issue 10, point 13):
// its test tool follows imports, so breaking a module runs the tests that
// import it and the run fails, instead of leaving a failing test fresh.
import { describe, expect, test } from 'vitest';
import { baseEnv, jobKeys, runJson, show } from '../helpers/cli.js';
import { readText, useFixture, writeText } from '../helpers/sandbox.js';

describe('issue 10: the python demo', () => {
  test('breaking calc/ops.py runs the test that imports it, and the run fails', async () => {
    const sb = useFixture('python-demo');
    const first = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(first.res.code, show(first.res)).toBe(0);
    writeText(sb, 'calc/ops.py', readText(sb, 'calc/ops.py').replace('return a + b', 'return a - b'));
    const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(1);
    // test_stats.py imports calc.stats, which imports calc.ops: it runs too.
    expect(jobKeys(json.jobs)).toEqual([
      'style calc/ops.py',
      'syntax calc/ops.py',
      'test tests/test_ops.py',
      'test tests/test_stats.py',
    ]);
    expect(json.jobs.find((j) => j.file === 'tests/test_ops.py')).toMatchObject({ status: 'failed', exitCode: 1 });
  });
});
