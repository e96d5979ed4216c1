// "deps": "python" follows what pytest imports beyond a test's own imports:
// the modules a conftest.py or a test module names in pytest_plugins (fixtures
// kept in another module, a layout pytest's documentation recommends), and
// the __init__.py of each package a test sits in (pytest imports it by its
// dotted name). Before, editing either re-ran no test. What runner cannot name
// (a computed pytest_plugins, `-p NAME`, PYTEST_PLUGINS) re-runs the jobs every
// time and explain says why. Each test counts, with the probe, which jobs
// really ran.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, runRunner, show } from '../helpers/cli.js';
import { PROBE_SCRIPT, probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, readConfig, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

/** Runs once; the files whose probe job really started. */
async function ran(sb: Sandbox): Promise<string[]> {
  resetProbeLog(sb);
  const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  return readProbeLog(sb).started.sort();
}

async function explained(sb: Sandbox, file: string): Promise<string> {
  const res = await runRunner(['explain', file], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  return res.stdout;
}

const UNDER_CONFTEST = ['tests/test_a.py', 'tests/test_b.py'];
const ALL = [...UNDER_CONFTEST, 'unit/test_c.py'];

/** tests/ has a conftest.py naming `plugins`; unit/ has none. The probe runs on every test_*.py. */
function pluginLayout(plugins: string, files: Record<string, string> = {}): Sandbox {
  const sb = useFixture('python-deps');
  for (const dir of ['app', 'tests']) fs.rmSync(path.join(sb.tree, dir), { recursive: true, force: true });
  const tree: Record<string, string> = {
    'tests/__init__.py': '',
    'tests/conftest.py': `pytest_plugins = ${plugins}\n`,
    'tests/fixtures.py': 'ANSWER = 42\n',
    'tests/more.py': 'MORE = 1\n',
    'tests/test_a.py': 'def test_a(answer):\n    assert answer == 42\n',
    'tests/test_b.py': 'def test_b():\n    pass\n',
    'unit/test_c.py': 'def test_c():\n    pass\n',
    ...files,
  };
  for (const [rel, text] of Object.entries(tree)) writeText(sb, rel, text);
  probeOnly(sb, { deps: 'python', include: ['**/test_*.py'] });
  return sb;
}

describe('issue 16: the modules pytest_plugins names are dependencies', () => {
  test('editing a module the conftest.py names re-runs exactly the tests under that conftest.py', async () => {
    const sb = pluginLayout('["tests.fixtures"]');
    expect(await ran(sb)).toEqual(ALL);
    expect(await ran(sb)).toEqual([]);
    writeText(sb, 'tests/fixtures.py', 'ANSWER = 41\n');
    expect(await ran(sb)).toEqual(UNDER_CONFTEST);
    writeText(sb, 'tests/more.py', 'MORE = 2\n');
    expect(await ran(sb)).toEqual([]);
    // A string naming two modules, split at the comma as pytest splits it.
    writeText(sb, 'tests/conftest.py', 'pytest_plugins = "tests.fixtures, tests.more"\n');
    expect(await ran(sb)).toEqual(UNDER_CONFTEST);
    writeText(sb, 'tests/more.py', 'MORE = 3\n');
    expect(await ran(sb)).toEqual(UNDER_CONFTEST);
  });

  test("a test module's own pytest_plugins re-runs that test alone", async () => {
    const sb = pluginLayout('[]', {
      'unit/helpers.py': 'HELP = 1\n',
      'unit/test_c.py': 'pytest_plugins = ("helpers",)\n\ndef test_c():\n    pass\n',
    });
    expect(await ran(sb)).toEqual(ALL);
    writeText(sb, 'unit/helpers.py', 'HELP = 2\n');
    expect(await ran(sb)).toEqual(['unit/test_c.py']);
  });

  test('a pytest_plugins runner cannot read re-runs the tests that load it every time, and explain says why', async () => {
    const sb = pluginLayout('[]');
    writeText(sb, 'tests/conftest.py', 'import os\npytest_plugins = [os.environ.get("PLUGIN", "tests.fixtures")]\n');
    expect(await ran(sb)).toEqual(ALL);
    expect(await ran(sb)).toEqual(UNDER_CONFTEST);
    expect(await explained(sb, 'tests/test_b.py')).toContain('<pytest_plugins that runner cannot read>');
    writeText(sb, 'tests/conftest.py', 'pytest_plugins = ["tests.fixtures"]\n');
    expect(await ran(sb)).toEqual(UNDER_CONFTEST);
    expect(await ran(sb)).toEqual([]);
  });
});

describe("issue 16: a test inside packages depends on each package's __init__.py", () => {
  test('editing an __init__.py re-runs the tests pytest imports through that package', async () => {
    const sb = pluginLayout('[]', { 'tests/sub/__init__.py': '', 'tests/sub/test_x.py': 'def test_x():\n    pass\n' });
    expect(await ran(sb)).toEqual(['tests/sub/test_x.py', ...UNDER_CONFTEST, 'unit/test_c.py']);
    expect(await ran(sb)).toEqual([]);
    // pytest imports tests.sub.test_x, running tests/__init__.py, then tests/sub/__init__.py.
    writeText(sb, 'tests/sub/__init__.py', 'SUB = 1\n');
    expect(await ran(sb)).toEqual(['tests/sub/test_x.py']);
    writeText(sb, 'tests/__init__.py', 'TOP = 1\n');
    expect(await ran(sb)).toEqual(['tests/sub/test_x.py', ...UNDER_CONFTEST]);
  });
});

describe('issue 16: plugins loaded by name from the command or the environment', () => {
  function withPytest(sb: Sandbox, args: string[], env: Record<string, string> = {}): void {
    const config = readConfig(sb);
    config.tools[0]!.command = ['node', PROBE_SCRIPT, '{file}', 'pytest', ...args];
    config.env = { ...config.env, ...env };
    writeConfig(sb, config);
  }

  test('"-p NAME" in the command, or PYTEST_PLUGINS, re-runs every job each time and says why; "-p no:NAME" does not', async () => {
    const sb = pluginLayout('[]');
    withPytest(sb, ['-q', '-p', 'tests.fixtures']);
    expect(await ran(sb)).toEqual(ALL);
    expect(await ran(sb)).toEqual(ALL);
    expect(await explained(sb, 'unit/test_c.py')).toContain(
      '<pytest option runner does not interpret: -p tests.fixtures>',
    );
    withPytest(sb, ['-q', '-p', 'no:cacheprovider'], { PYTEST_PLUGINS: 'tests.fixtures' });
    expect(await ran(sb)).toEqual(ALL);
    expect(await ran(sb)).toEqual(ALL);
    expect(await explained(sb, 'unit/test_c.py')).toContain(
      '<PYTEST_PLUGINS runner does not interpret: tests.fixtures>',
    );
    withPytest(sb, ['-q', '-p', 'no:cacheprovider'], { PYTEST_PLUGINS: '' });
    expect(await ran(sb)).toEqual(ALL);
    expect(await ran(sb)).toEqual([]);
  });

  test('"-p NAME" in the configuration\'s addopts re-runs every job each time, and explain names the file and the option', async () => {
    const sb = pluginLayout('[]');
    withPytest(sb, ['-q']);
    expect(await ran(sb)).toEqual(ALL);
    expect(await ran(sb)).toEqual([]);
    writeText(sb, 'pytest.ini', '[pytest]\naddopts = -q -p tests.fixtures\n');
    expect(await ran(sb)).toEqual(ALL);
    expect(await ran(sb)).toEqual(ALL);
    expect(await explained(sb, 'unit/test_c.py')).toContain(
      '<pytest configuration runner cannot use: pytest.ini: addopts has -p tests.fixtures>',
    );
  });
});

describe("a pytest module's snapshot file (syrupy's __snapshots__/<module>.ambr) is one of its dependencies", () => {
  test('creating or editing it re-runs that module alone, and explain names it', async () => {
    const sb = pluginLayout('[]');
    const config = readConfig(sb);
    config.tools[0]!.command = ['node', PROBE_SCRIPT, '{file}', 'pytest', '-q'];
    writeConfig(sb, config);
    expect(await ran(sb)).toEqual(ALL);
    expect(await ran(sb)).toEqual([]);
    writeText(sb, 'tests/__snapshots__/test_b.ambr', '# serializer version: 1\n# name: test_b\n  1\n# ---\n');
    expect(await explained(sb, 'tests/test_b.py')).toContain('tests/__snapshots__/test_b.ambr');
    expect(await ran(sb)).toEqual(['tests/test_b.py']);
    expect(await ran(sb)).toEqual([]);
    writeText(sb, 'tests/__snapshots__/test_b.ambr', '# serializer version: 1\n# name: test_b\n  2\n# ---\n');
    expect(await ran(sb)).toEqual(['tests/test_b.py']);
  });
});

const hasPytest = spawnSync('python3', ['-m', 'pytest', '--version'], { env: baseEnv() }).status === 0;

describe.skipIf(!hasPytest)('issue 16: a real pytest run with fixtures in a plugin module', () => {
  test('an edit to the fixture module re-runs and fails the test that uses the fixture', async () => {
    const sb = pluginLayout('["tests.fixtures"]', {
      'tests/fixtures.py': 'import pytest\n\n\n@pytest.fixture\ndef answer():\n    return 42\n',
    });
    const config = readConfig(sb);
    config.tools = [
      {
        name: 'pytest',
        command: ['python3', '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '{file}'],
        include: ['tests/test_a.py'],
        deps: 'python',
      },
    ];
    config.env = { ...config.env, PYTHONDONTWRITEBYTECODE: '1' };
    writeConfig(sb, config);
    const first = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(first.code, show(first)).toBe(0);
    writeText(sb, 'tests/fixtures.py', 'import pytest\n\n\n@pytest.fixture\ndef answer():\n    return 41\n');
    const second = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(second.code, show(second)).toBe(1);
  });
});
