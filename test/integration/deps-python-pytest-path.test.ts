// "deps": "python" resolves a test's imports on the search path pytest gives
// it: pytest's `pythonpath` option (pyproject.toml, pytest.ini, ...) ahead of
// sys.path, as in a src layout (issue 16: runner on real code). Each test
// builds the layout in a temp copy of fixtures/python-deps and counts, with
// the probe, which jobs really ran.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, runRunner, show } from '../helpers/cli.js';
import { PROBE_SCRIPT, probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, readConfig, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

type WithDeps = { deps: { python?: { kept?: boolean } } };

/** Runs once; the files whose probe job really started, and whether the kept python graph stood. */
async function probed(sb: Sandbox): Promise<{ ran: string[]; kept: boolean | undefined }> {
  resetProbeLog(sb);
  const { res, json } = await runJson<WithDeps>(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  return { ran: readProbeLog(sb).started.sort(), kept: json.deps.python?.kept };
}

const ran = async (sb: Sandbox): Promise<string[]> => (await probed(sb)).ran;

/** Entries changed within 2 s of a run are racy and never kept: let them age. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 2100));

const ALL = ['tests/test_mod.py', 'tests/test_none.py', 'tests/test_other.py'];

/** A src layout (src/pkg beside tests/, nothing installed), the probe with python deps on tests/, plus `files`. */
function srcLayout(files: Record<string, string>): Sandbox {
  const sb = useFixture('python-deps');
  for (const dir of ['app', 'tests']) fs.rmSync(path.join(sb.tree, dir), { recursive: true, force: true });
  const tree: Record<string, string> = {
    'src/pkg/__init__.py': '',
    'src/pkg/mod.py': 'VALUE = 1\n',
    'src/pkg/other.py': 'OTHER = 1\n',
    'tests/test_mod.py': 'import pkg.mod\n',
    'tests/test_other.py': 'from pkg import other\n',
    'tests/test_none.py': 'import json\n',
    ...files,
  };
  for (const [rel, text] of Object.entries(tree)) writeText(sb, rel, text);
  // No source tree on PYTHONPATH: only pytest's own option puts src/ on the search path.
  probeOnly(sb, { deps: 'python', include: ['tests/**/*.py'] }, { addSourceTreeToPythonPath: false });
  return sb;
}

const PYPROJECT = '[project]\nname = "pkg"\n\n[tool.pytest.ini_options]\npythonpath = ["src"]\naddopts = "-q"\n';

describe('issue 16: pytest\'s "pythonpath" joins the search path of a src layout', () => {
  test('editing src/pkg/mod.py re-runs exactly the tests that import it (pyproject.toml)', async () => {
    const sb = srcLayout({ 'pyproject.toml': PYPROJECT });
    expect(await ran(sb)).toEqual(ALL);
    expect(await ran(sb)).toEqual([]);
    writeText(sb, 'src/pkg/mod.py', 'VALUE = 2\n');
    expect(await ran(sb)).toEqual(['tests/test_mod.py']);
    writeText(sb, 'src/pkg/other.py', 'OTHER = 2\n');
    expect(await ran(sb)).toEqual(['tests/test_other.py']);
    writeText(sb, 'src/pkg/__init__.py', '# the package\n');
    expect(await ran(sb)).toEqual(['tests/test_mod.py', 'tests/test_other.py']);
  });

  test('an installed-looking copy of pkg on PYTHONPATH does not hide src/pkg from the tests', async () => {
    const sb = srcLayout({ 'pyproject.toml': PYPROJECT });
    const site = path.join(sb.scratch, 'site-packages');
    fs.mkdirSync(path.join(site, 'pkg'), { recursive: true });
    fs.writeFileSync(path.join(site, 'pkg', '__init__.py'), '');
    fs.writeFileSync(path.join(site, 'pkg', 'mod.py'), 'VALUE = "installed"\n');
    fs.writeFileSync(path.join(site, 'pkg', 'other.py'), 'OTHER = "installed"\n');
    const config = readConfig(sb);
    config.env = { ...config.env, PYTHONPATH: site };
    writeConfig(sb, config);
    expect(await ran(sb)).toEqual(ALL);
    writeText(sb, 'src/pkg/mod.py', 'VALUE = 2\n');
    expect(await ran(sb)).toEqual(['tests/test_mod.py']);
  });

  test('pytest.ini wins over pyproject.toml in the same directory, as pytest picks it', async () => {
    const sb = srcLayout({
      'pytest.ini': '[pytest]\npythonpath = src\n',
      'pyproject.toml': '[tool.pytest.ini_options]\npythonpath = ["elsewhere"]\n',
    });
    expect(await ran(sb)).toEqual(ALL);
    writeText(sb, 'src/pkg/mod.py', 'VALUE = 2\n');
    expect(await ran(sb)).toEqual(['tests/test_mod.py']);
  });

  test("setup.cfg [tool:pytest] in the tests' own directory, with a path relative to it", async () => {
    const sb = srcLayout({ 'tests/setup.cfg': '[metadata]\nname = x\n\n[tool:pytest]\npythonpath =\n    ../src\n' });
    expect(await ran(sb)).toEqual(ALL);
    writeText(sb, 'src/pkg/other.py', 'OTHER = 2\n');
    expect(await ran(sb)).toEqual(['tests/test_other.py']);
  });

  test('editing the option, or creating and deleting pytest.ini, re-runs the tests whose imports it moves; a no-op stays one', async () => {
    const sb = srcLayout({ 'pyproject.toml': '[tool.pytest.ini_options]\naddopts = "-q"\n' });
    expect(await ran(sb)).toEqual(ALL);
    // pkg now resolves to src/pkg: the tests importing it re-run, the other does not.
    writeText(sb, 'pyproject.toml', PYPROJECT);
    expect(await ran(sb)).toEqual(['tests/test_mod.py', 'tests/test_other.py']);
    await settle();
    expect(await probed(sb)).toEqual({ ran: [], kept: false }); // resolved again, now kept
    expect(await probed(sb)).toEqual({ ran: [], kept: true });
    // The same text with a new mtime: resolved again, nothing runs.
    const pyproject = path.join(sb.tree, 'pyproject.toml');
    fs.utimesSync(pyproject, new Date(), new Date(Date.now() - 60_000));
    expect(await probed(sb)).toEqual({ ran: [], kept: false });
    // pytest.ini comes first, and puts lib/ on the path: pkg now resolves there.
    writeText(sb, 'lib/pkg/__init__.py', '');
    writeText(sb, 'lib/pkg/mod.py', 'VALUE = "lib"\n');
    expect(await ran(sb)).toEqual([]);
    writeText(sb, 'pytest.ini', '[pytest]\npythonpath = lib\n');
    expect(await ran(sb)).toEqual(['tests/test_mod.py', 'tests/test_other.py']);
    // Deleted: back to src/ (inputs a result was recorded for: nothing to run), and lib/ is no dependency.
    fs.rmSync(path.join(sb.tree, 'pytest.ini'));
    expect(await ran(sb)).toEqual([]);
    writeText(sb, 'lib/pkg/mod.py', 'VALUE = "lib 2"\n');
    expect(await ran(sb)).toEqual([]);
    writeText(sb, 'src/pkg/mod.py', 'VALUE = 2\n');
    expect(await ran(sb)).toEqual(['tests/test_mod.py']);
  });

  test('a configuration runner cannot read re-runs the tests under it every time, and explain says why', async () => {
    const sb = srcLayout({ 'pyproject.toml': '[tool.pytest.ini_options\npythonpath = ["src"]\n' });
    expect(await ran(sb)).toEqual(ALL);
    expect(await ran(sb)).toEqual(ALL);
    const explained = await runRunner(['explain', 'tests/test_none.py'], { cwd: sb.tree, env: baseEnv() });
    expect(explained.stdout).toContain('<pytest configuration runner cannot use: pyproject.toml: ');
    writeText(sb, 'pyproject.toml', PYPROJECT);
    expect(await ran(sb)).toEqual(ALL);
    expect(await ran(sb)).toEqual([]);
  });
});

describe('issue 16: pytest options runner does not interpret make the search path uncertain', () => {
  /** The probe's command as if it ran pytest with `args`, and `env` added to the tools' environment. */
  function withPytestArgs(sb: Sandbox, args: string[], env: Record<string, string> = {}): void {
    const config = readConfig(sb);
    config.tools[0]!.command = ['node', PROBE_SCRIPT, '{file}', 'pytest', ...args];
    config.env = { ...config.env, ...env };
    writeConfig(sb, config);
  }

  test('"-o pythonpath=" in the command, or "-c" in PYTEST_ADDOPTS, re-runs the tool\'s jobs every time and says why', async () => {
    const sb = srcLayout({ 'pyproject.toml': PYPROJECT });
    withPytestArgs(sb, ['-q', '-o', 'pythonpath=lib']);
    expect(await ran(sb)).toEqual(ALL);
    expect(await ran(sb)).toEqual(ALL);
    const explained = await runRunner(['explain', 'tests/test_none.py'], { cwd: sb.tree, env: baseEnv() });
    expect(explained.stdout).toContain('<pytest option runner does not interpret: pythonpath=lib>');
    withPytestArgs(sb, ['-q', '-p', 'no:cacheprovider'], { PYTEST_ADDOPTS: '-c other.ini' });
    expect(await ran(sb)).toEqual(ALL);
    expect(await ran(sb)).toEqual(ALL);
    // Options that leave the configuration alone: skipped as usual.
    withPytestArgs(sb, ['-q', '-p', 'no:cacheprovider', '--rootdir', '.'], { PYTEST_ADDOPTS: '-x' });
    expect(await ran(sb)).toEqual(ALL);
    expect(await ran(sb)).toEqual([]);
  });
});

const hasPytest = spawnSync('python3', ['-m', 'pytest', '--version'], { env: baseEnv() }).status === 0;

describe.skipIf(!hasPytest)('issue 16: a real pytest run in a src layout', () => {
  test('pytest imports src/pkg through "pythonpath", and an edit there re-runs and fails the test', async () => {
    const sb = srcLayout({
      'pyproject.toml': PYPROJECT,
      'tests/test_mod.py': 'import pkg.mod\n\n\ndef test_value():\n    assert pkg.mod.VALUE == 1\n',
    });
    const config = readConfig(sb);
    config.tools = [
      {
        name: 'pytest',
        command: ['python3', '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '{file}'],
        include: ['tests/test_mod.py'],
        deps: 'python',
      },
    ];
    config.env = { ...config.env, PYTHONDONTWRITEBYTECODE: '1' };
    writeConfig(sb, config);
    const first = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(first.code, show(first)).toBe(0);
    writeText(sb, 'src/pkg/mod.py', 'VALUE = 2\n');
    const second = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(second.code, show(second)).toBe(1);
  });
});
