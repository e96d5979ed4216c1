// "deps": "python" follows imports through every file they resolve to, tracked
// or not (issue 10, point 1), and pytest's conftest.py files count for every
// test below them (point 2). Each test builds the layout in a temp copy of
// fixtures/python-deps and counts, with the probe, which jobs really ran.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, runRunner, show } from '../helpers/cli.js';
import { probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, useFixture, writeText } from '../helpers/sandbox.js';

/** Runs once and returns the files whose probe job really started. */
async function probed(sb: Sandbox): Promise<string[]> {
  resetProbeLog(sb);
  const { res } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  return readProbeLog(sb).started.sort();
}

/** A tree of only `files`, the probe with python deps on `tests/**`, and `top` config keys. */
function layout(files: Record<string, string>, top: Record<string, unknown> = {}): Sandbox {
  const sb = useFixture('python-deps');
  for (const dir of ['app', 'tests']) fs.rmSync(path.join(sb.tree, dir), { recursive: true, force: true });
  for (const [rel, text] of Object.entries(files)) writeText(sb, rel, text);
  probeOnly(sb, { deps: 'python', include: ['tests/**/*.py'] }, top);
  return sb;
}

describe('issue 10: imports are followed through files runner does not track', () => {
  test('editing a module in an excluded vendored directory re-runs the tests that reach it, and touching it does not', async () => {
    const sb = layout(
      {
        'src/pkg/__init__.py': 'from pkg._vendor.lib import hooks\n',
        'src/pkg/_vendor/__init__.py': '',
        'src/pkg/_vendor/lib/__init__.py': '',
        'src/pkg/_vendor/lib/hooks.py': 'from . import util\n',
        'src/pkg/_vendor/lib/util.py': 'VALUE = 1\n',
        'tests/test_pkg.py': 'import pkg\n',
        'tests/test_other.py': 'import os\n',
      },
      { exclude: ['**/__pycache__/**', 'src/pkg/_vendor/**'] },
    );
    const config = JSON.parse(fs.readFileSync(path.join(sb.tree, '.runnerrc.json'), 'utf8')) as {
      env: Record<string, string>;
    };
    config.env.PYTHONPATH = path.join(sb.tree, 'src');
    fs.writeFileSync(path.join(sb.tree, '.runnerrc.json'), JSON.stringify(config));
    expect(await probed(sb)).toEqual(['tests/test_other.py', 'tests/test_pkg.py']);
    expect(await probed(sb)).toEqual([]);
    writeText(sb, 'src/pkg/_vendor/lib/util.py', 'VALUE = 2\n');
    expect(await probed(sb)).toEqual(['tests/test_pkg.py']);
    // Same bytes, new mtime: identified by content, so nothing runs.
    const util = path.join(sb.tree, 'src/pkg/_vendor/lib/util.py');
    fs.utimesSync(util, new Date(), new Date(Date.now() + 5000));
    expect(await probed(sb)).toEqual([]);
  });

  test('a package outside the tree on PYTHONPATH is followed into the modules it imports', async () => {
    const sb = layout({ 'tests/test_ext.py': 'import extpkg\n', 'tests/test_plain.py': 'import json\n' });
    const site = path.join(sb.scratch, 'site');
    fs.mkdirSync(path.join(site, 'extpkg'), { recursive: true });
    fs.writeFileSync(path.join(site, 'extpkg', '__init__.py'), 'from extpkg.inner import VALUE\n');
    fs.writeFileSync(path.join(site, 'extpkg', 'inner.py'), 'import extdep\nVALUE = 1\n');
    fs.writeFileSync(path.join(site, 'extdep.py'), 'DEP = 1\n');
    const configPath = path.join(sb.tree, '.runnerrc.json');
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as { env: Record<string, string> };
    config.env.PYTHONPATH = site;
    fs.writeFileSync(configPath, JSON.stringify(config));
    expect(await probed(sb)).toEqual(['tests/test_ext.py', 'tests/test_plain.py']);
    fs.writeFileSync(path.join(site, 'extdep.py'), 'DEP = 2\n');
    expect(await probed(sb)).toEqual(['tests/test_ext.py']);
    expect(await probed(sb)).toEqual([]);
  });

  test("issue 16: explain names the tree's own imports that resolve nowhere first, and counts those made inside installed packages in one note", async () => {
    // Eleven packages outside the tree, each guarding an optional import that is not installed: more than explain
    // lists one by one, so the test's own missing import was cut from the list before.
    const sb = layout({
      'tests/test_ext.py': `${Array.from({ length: 11 }, (_, i) => `import extpkg${i}`).join('\n')}\nimport zz_missing_here\n`,
    });
    const site = path.join(sb.scratch, 'site');
    for (let i = 0; i < 11; i++) {
      fs.mkdirSync(path.join(site, `extpkg${i}`), { recursive: true });
      fs.writeFileSync(
        path.join(site, `extpkg${i}`, '__init__.py'),
        `try:\n    import aa_optional${i}\nexcept ImportError:\n    pass\n`,
      );
    }
    const configPath = path.join(sb.tree, '.runnerrc.json');
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as { env: Record<string, string> };
    config.env.PYTHONPATH = site;
    fs.writeFileSync(configPath, JSON.stringify(config));
    expect(await probed(sb)).toEqual(['tests/test_ext.py']);

    const res = await runRunner(['explain', 'tests/test_ext.py'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    const notes = res.stdout.split('\n').filter((l) => l.startsWith('    note: '));
    expect(notes).toEqual([
      '    note: depends on import zz_missing_here resolving nowhere (tests/test_ext.py -> zz_missing_here): runs again once it resolves',
      '    note: depends on 11 imports made outside the source tree (installed packages) resolving nowhere, e.g. aa_optional0, aa_optional1, aa_optional10: runs again once one resolves (`runner deps tests/test_ext.py` lists them)',
    ]);
    // Each of them still counts: one coming into being runs the job again.
    fs.writeFileSync(path.join(site, 'aa_optional7.py'), 'X = 1\n');
    expect(await probed(sb)).toEqual(['tests/test_ext.py']);
  });

  test('a file in the tree outside "include" is followed into the modules it imports', async () => {
    const sb = layout(
      {
        'app/__init__.py': '',
        'app/main.py': 'from app import helper\n',
        'app/helper.py': 'from .deep import VALUE\n',
        'app/deep.py': 'VALUE = 1\n',
        'tests/test_main.py': 'import app.main\n',
      },
      { include: ['tests/**', 'app/main.py', '.runnerrc.json'] },
    );
    expect(await probed(sb)).toEqual(['tests/test_main.py']);
    writeText(sb, 'app/deep.py', 'VALUE = 2\n');
    expect(await probed(sb)).toEqual(['tests/test_main.py']);
    expect(await probed(sb)).toEqual([]);
  });
});

describe('issue 10: pytest conftest.py files are dependencies of the tests below them', () => {
  const files = {
    'app/__init__.py': '',
    'app/util.py': 'def make():\n    return 1\n',
    'tests/conftest.py':
      'import pytest\n\nfrom app.util import make\n\n\n@pytest.fixture\ndef thing():\n    return make()\n',
    'tests/test_top.py': 'def test_thing(thing):\n    assert thing == 1\n',
    'tests/sub/test_deep.py': 'def test_deep(thing):\n    assert thing == 1\n',
    'tests/other/test_side.py': 'def test_side():\n    pass\n',
  };

  test('editing what a conftest.py imports re-runs every test below it', async () => {
    const sb = layout(files);
    expect(await probed(sb)).toEqual([
      'tests/conftest.py',
      'tests/other/test_side.py',
      'tests/sub/test_deep.py',
      'tests/test_top.py',
    ]);
    writeText(sb, 'app/util.py', 'def make():\n    return 2\n');
    expect(await probed(sb)).toEqual([
      'tests/conftest.py',
      'tests/other/test_side.py',
      'tests/sub/test_deep.py',
      'tests/test_top.py',
    ]);
  });

  test('a new conftest.py re-runs the tests in its directory and below, and no others', async () => {
    const sb = layout(files);
    await probed(sb);
    writeText(sb, 'tests/sub/conftest.py', 'import pytest\n');
    expect(await probed(sb)).toEqual(['tests/sub/conftest.py', 'tests/sub/test_deep.py']);
  });
});

describe('issue 10: followed files in layouts real trees have', () => {
  /** tests/test_pkg.py imports pkg, whose excluded _vendor/hooks.py is a symlink to a module importing _vendor/util.py. */
  function vendoredLink(): Sandbox {
    const sb = layout(
      {
        'src/pkg/__init__.py': 'from pkg._vendor import hooks\n',
        'src/pkg/_vendor/__init__.py': '',
        'src/pkg/_vendor/util.py': 'VALUE = 1\n',
        'shared/hooks_impl.py': 'from pkg._vendor import util\n',
        'tests/test_pkg.py': 'import pkg\n',
      },
      { exclude: ['**/__pycache__/**', 'src/pkg/_vendor/**'] },
    );
    fs.symlinkSync(path.join(sb.tree, 'shared/hooks_impl.py'), path.join(sb.tree, 'src/pkg/_vendor/hooks.py'));
    const config = JSON.parse(fs.readFileSync(path.join(sb.tree, '.runnerrc.json'), 'utf8')) as {
      env: Record<string, string>;
    };
    config.env.PYTHONPATH = 'src';
    fs.writeFileSync(path.join(sb.tree, '.runnerrc.json'), JSON.stringify(config));
    return sb;
  }

  test('a symlinked module in an excluded directory is followed into what it imports', async () => {
    const sb = vendoredLink();
    expect(await probed(sb)).toEqual(['tests/test_pkg.py']);
    writeText(sb, 'src/pkg/_vendor/util.py', 'VALUE = 2\n');
    expect(await probed(sb)).toEqual(['tests/test_pkg.py']);
  });

  test("a copy of the tree with its state directory follows its own files, not the original's", async () => {
    // PYTHONPATH names the tree relatively, so nothing in the environment tells the two trees apart.
    const sb = layout(
      {
        'src/pkg/__init__.py': 'from pkg._vendor import hooks\n',
        'src/pkg/_vendor/__init__.py': '',
        'src/pkg/_vendor/hooks.py': 'from pkg._vendor import util\n',
        'src/pkg/_vendor/util.py': 'VALUE = 1\n',
        'tests/test_pkg.py': 'import pkg\n',
      },
      { exclude: ['**/__pycache__/**', 'src/pkg/_vendor/**'], addSourceTreeToPythonPath: false },
    );
    const config = JSON.parse(fs.readFileSync(path.join(sb.tree, '.runnerrc.json'), 'utf8')) as {
      env: Record<string, string>;
    };
    config.env.PYTHONPATH = 'src';
    fs.writeFileSync(path.join(sb.tree, '.runnerrc.json'), JSON.stringify(config));
    expect(await probed(sb)).toEqual(['tests/test_pkg.py']);
    // Files written within 2 s are racy: once they are older, a no-op keeps the resolved graph.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(await probed(sb)).toEqual([]);
    const copy = path.join(sb.root, 'copy');
    fs.cpSync(sb.tree, copy, { recursive: true });
    fs.writeFileSync(path.join(copy, 'src/pkg/_vendor/util.py'), 'VALUE = 3\n');
    resetProbeLog(sb);
    const { res } = await runJson(['run'], { cwd: copy, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(readProbeLog(sb).started).toEqual(['tests/test_pkg.py']);
  });
});
