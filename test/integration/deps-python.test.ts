// "deps": "python": a job re-runs when anything its file imports, transitively,
// changes, and no other job does. fixtures/python-deps has a package, relative
// imports, a diamond, a cycle and a literal importlib.import_module().
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, jobKeys, runJson, runRunner, show } from '../helpers/cli.js';
import { type Sandbox, appendText, readConfig, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

async function firstRun(sb: Sandbox): Promise<void> {
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(json.counts).toMatchObject({ jobs: 15, ran: 15, passed: 15 });
}

async function ranAfter(sb: Sandbox): Promise<string[]> {
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  return jobKeys(json.jobs).sort();
}

describe('python dependencies', () => {
  test('a second run runs nothing', async () => {
    const sb = useFixture('python-deps');
    await firstRun(sb);
    expect(await ranAfter(sb)).toEqual([]);
  });

  test('changing a leaf module re-runs exactly the tests that import it, directly or transitively', async () => {
    const sb = useFixture('python-deps');
    await firstRun(sb);
    appendText(sb, 'app/util.py', '# changed\n');
    expect(await ranAfter(sb)).toEqual(['syntax app/util.py', 'test tests/test_api.py', 'test tests/test_util.py']);
  });

  test('explain names the import chain that made a job stale', async () => {
    const sb = useFixture('python-deps');
    await firstRun(sb);
    appendText(sb, 'app/util.py', '# changed\n');
    const res = await runRunner(['explain', 'tests/test_api.py'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(res.stdout).toContain('dependency tests/test_api.py -> app/api.py -> app/util.py changed');
  });

  test('a module in an import cycle re-runs the tests that reach the cycle', async () => {
    const sb = useFixture('python-deps');
    await firstRun(sb);
    appendText(sb, 'app/cycle_b.py', '# changed\n');
    expect(await ranAfter(sb)).toEqual(['syntax app/cycle_b.py', 'test tests/test_cycle.py']);
  });

  test('creating a module that did not resolve before re-runs its importers', async () => {
    const sb = useFixture('python-deps');
    await firstRun(sb);
    writeText(sb, 'app/extra.py', 'NAME = "extra"\n');
    expect(await ranAfter(sb)).toEqual(['syntax app/extra.py', 'test tests/test_plugins.py']);
  });

  test('a change to a module outside the source tree re-runs its importers', async () => {
    const sb = useFixture('python-deps');
    const ext = path.join(sb.scratch, 'site');
    fs.mkdirSync(ext);
    fs.writeFileSync(path.join(ext, 'extlib.py'), 'VALUE = 1\n');
    const config = readConfig(sb) as { env: Record<string, string> };
    config.env.PYTHONPATH = ext;
    writeConfig(sb, config);
    writeText(
      sb,
      'tests/test_ext.py',
      'import unittest\n\nimport extlib\n\n\nclass ExtTest(unittest.TestCase):\n    def test_value(self):\n        self.assertEqual(extlib.VALUE, 1)\n',
    );
    const first = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(first.res.code, show(first.res)).toBe(0);
    fs.writeFileSync(path.join(ext, 'extlib.py'), 'VALUE = 1  # upgraded\n');
    expect(await ranAfter(sb)).toEqual(['test tests/test_ext.py']);
  });

  test('runner deps prints direct and transitive dependencies and dependents', async () => {
    const sb = useFixture('python-deps');
    const { res, json } = await runJson<{ kind: string; transitive: string[]; dependents: string[] }>(
      ['deps', 'app/util.py'],
      { cwd: sb.tree, env: baseEnv() },
    );
    expect(res.code, show(res)).toBe(0);
    expect(json.kind).toBe('python');
    // Its package's __init__.py, which runs whenever app.util is imported (by pytest too).
    expect(json.transitive).toEqual(['app/__init__.py']);
    expect(json.dependents).toEqual(['app/api.py', 'app/models.py', 'tests/test_api.py', 'tests/test_util.py']);
    const api = await runJson<{ transitive: string[] }>(['deps', 'tests/test_api.py'], {
      cwd: sb.tree,
      env: baseEnv(),
    });
    expect(api.json.transitive.filter((t) => !t.startsWith('/'))).toEqual([
      'app/__init__.py',
      'app/api.py',
      'app/models.py',
      'app/util.py',
    ]);
    expect(api.json.transitive.some((t) => t.endsWith('/unittest/__init__.py'))).toBe(true);
    // A file no import graph reads has no graph to show.
    const config = readConfig(sb);
    config.include = ['**/*.py', 'notes.txt'];
    writeConfig(sb, config);
    fs.writeFileSync(path.join(sb.tree, 'notes.txt'), 'not python\n');
    const notes = await runJson<{ kind: string | null; direct: unknown }>(['deps', 'notes.txt'], {
      cwd: sb.tree,
      env: baseEnv(),
    });
    expect(notes.res.code, show(notes.res)).toBe(0);
    expect(notes.json).toMatchObject({ kind: null, direct: null });
  });
});
