// `runner explain` on import-graph dependencies: reasons name what differs,
// by content, from the job's last recorded run, and nothing else. The probe
// (with "deps": "python") is the outside witness of what ran.
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, show } from '../helpers/cli.js';
import { probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, appendText, readText, useFixture, writeText } from '../helpers/sandbox.js';

interface Reason {
  kind: string;
  path?: string;
  change?: string;
}
interface Explained {
  tools: { tool: string; state: string; reasons: Reason[] }[];
}

async function ran(sb: Sandbox): Promise<string[]> {
  const { res } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  const started = readProbeLog(sb).started;
  resetProbeLog(sb);
  return started;
}

/** The probe job's state and its reasons as "kind path change". */
async function explainProbe(sb: Sandbox, file: string): Promise<{ state: string; reasons: string[] }> {
  const { res, json } = await runJson<Explained>(['explain', file], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  const t = json.tools.find((x) => x.tool === 'probe')!;
  return {
    state: t.state,
    reasons: t.reasons.map((r) => [r.kind, r.path, r.change].filter((x) => x !== undefined).join(' ')),
  };
}

function setUp(): Sandbox {
  const sb = useFixture('python-deps');
  probeOnly(sb, { include: ['tests/test_*.py'], deps: 'python' });
  return sb;
}

describe('explain on import-graph dependencies', () => {
  test('issue 10: a dependency edited and reverted leaves the job fresh, and explain lists nothing', async () => {
    const sb = setUp();
    expect((await ran(sb)).length).toBe(4);
    const util = readText(sb, 'app/util.py');
    appendText(sb, 'app/util.py', '# edited\n');
    expect(await explainProbe(sb, 'tests/test_api.py')).toEqual({
      state: 'stale',
      reasons: ['dependency app/util.py changed'],
    });
    expect((await ran(sb)).sort()).toEqual(['tests/test_api.py', 'tests/test_util.py']);
    writeText(sb, 'app/util.py', util);
    expect(await explainProbe(sb, 'tests/test_api.py')).toEqual({ state: 'fresh', reasons: [] });
    expect(await ran(sb)).toEqual([]);
  });

  test('issue 10: a dependency edited and reverted since the last run is not named; the one that differs is', async () => {
    const sb = setUp();
    await ran(sb);
    const util = readText(sb, 'app/util.py');
    appendText(sb, 'app/util.py', '# edited\n');
    // Seen by a scan (explain saves it), then put back.
    expect((await explainProbe(sb, 'tests/test_api.py')).reasons).toEqual(['dependency app/util.py changed']);
    writeText(sb, 'app/util.py', util);
    appendText(sb, 'app/models.py', '# edited\n');
    expect(await explainProbe(sb, 'tests/test_api.py')).toEqual({
      state: 'stale',
      reasons: ['dependency app/models.py changed'],
    });
  });

  test('issue 10: after a run on dependency A, a change to B names B only', async () => {
    const sb = setUp();
    await ran(sb);
    appendText(sb, 'app/util.py', '# A\n');
    await ran(sb);
    appendText(sb, 'app/models.py', '# B\n');
    expect(await explainProbe(sb, 'tests/test_api.py')).toEqual({
      state: 'stale',
      reasons: ['dependency app/models.py changed'],
    });
  });

  test('issue 10: a changed test file alone gives no dependency reason', async () => {
    const sb = setUp();
    await ran(sb);
    appendText(sb, 'tests/test_api.py', '# edited\n');
    expect(await explainProbe(sb, 'tests/test_api.py')).toEqual({ state: 'stale', reasons: ['content'] });
  });

  test('issue 10: a dependency is named as removed when it really was', async () => {
    const sb = setUp();
    await ran(sb);
    // api.py stops importing models.py; util.py stays a dependency through api.py.
    writeText(
      sb,
      'app/api.py',
      'import app.util\n\n\ndef handle(x):\n    return app.util.helper(x) + app.util.helper(0)\n',
    );
    expect(await explainProbe(sb, 'tests/test_api.py')).toEqual({
      state: 'stale',
      reasons: ['dependency app/api.py changed', 'dependency app/models.py removed'],
    });
    expect(await ran(sb)).toEqual(['tests/test_api.py']);
  });
});
