// Affected runs (issue 16, point 7): `runner run --since REF` runs the stale
// jobs of what changed since REF's merge base with HEAD (committed, staged,
// unstaged, untracked) and of the files that depend on it; `runner run
// FILE... --dependents` does the same for the user's files. Real git
// repositories made from fixtures/python-deps and fixtures/js-deps, the probe
// on their tests (python) or every module (javascript), counting what really ran.
import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { type JobJson, runJson, runRunner, show } from '../helpers/cli.js';
import { gitOk, gitTestEnv, initRepo } from '../helpers/git.js';
import { probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, type ToolDef, useFixture, writeText } from '../helpers/sandbox.js';

interface AffectedJson {
  jobs: JobJson[];
  since?: { ref: string; mergeBase: string; changed: string[]; deleted: string[] };
}

/** A fixture as a git repository with one commit on main, the probe its only tool. */
function repoOf(fixture: 'python-deps' | 'js-deps', tool: Partial<ToolDef>): Sandbox {
  const sb = useFixture(fixture);
  probeOnly(sb, tool);
  writeText(sb, '.gitignore', '.runner/\n__pycache__/\nignored/\n');
  initRepo(sb.tree);
  gitOk(sb.tree, ['add', '-A']);
  gitOk(sb.tree, ['commit', '-q', '-m', 'initial']);
  return sb;
}

const pythonRepo = (): Sandbox => repoOf('python-deps', { deps: 'python', include: ['tests/**/*.py'] });
const jsRepo = (): Sandbox => repoOf('js-deps', { deps: 'javascript', include: ['**/*.ts', '**/*.js', '**/*.cjs'] });

/** Runs `runner run ARGS --json` in the repository; returns the files whose probe job really started, and the JSON. */
async function ran(sb: Sandbox, args: string[] = []): Promise<{ files: string[]; json: AffectedJson }> {
  resetProbeLog(sb);
  const { res, json } = await runJson<AffectedJson>(['run', ...args], { cwd: sb.tree, env: gitTestEnv() });
  expect(res.code, show(res)).toBe(0);
  return { files: readProbeLog(sb).started.sort(), json };
}

function commitAll(sb: Sandbox, message: string): void {
  gitOk(sb.tree, ['add', '-A']);
  gitOk(sb.tree, ['commit', '-q', '-m', message]);
}

const ALL_PYTHON_TESTS = ['tests/test_api.py', 'tests/test_cycle.py', 'tests/test_plugins.py', 'tests/test_util.py'];

describe('issue 16: run --since REF (python)', () => {
  test('a module changed on a branch runs the tests that import it, not other stale jobs', async () => {
    const sb = pythonRepo();
    expect((await ran(sb)).files).toEqual(ALL_PYTHON_TESTS);
    // Stale, but already on main: not a change of the branch.
    writeText(sb, 'tests/test_plugins.py', 'import unittest\nimport app.plugins\n# edited on main\n');
    commitAll(sb, 'main edits a test');
    gitOk(sb.tree, ['checkout', '-q', '-b', 'feature']);
    writeText(sb, 'app/util.py', 'def helper(x):\n    return x + x\n');
    commitAll(sb, 'feature edits util');
    const since = await ran(sb, ['--since', 'main']);
    expect(since.files).toEqual(['tests/test_api.py', 'tests/test_util.py']);
    expect(since.json.since).toEqual({
      ref: 'main',
      mergeBase: gitOk(sb.tree, ['rev-parse', 'main']).trim(),
      changed: ['app/util.py'],
      deleted: [],
    });
    expect((await ran(sb, ['--since', 'main'])).files).toEqual([]);
    expect((await ran(sb)).files).toEqual(['tests/test_plugins.py']);
  });

  test("changes are counted from the merge base: main's later commits are not the branch's changes", async () => {
    const sb = pythonRepo();
    await ran(sb);
    const base = gitOk(sb.tree, ['rev-parse', 'HEAD']).trim();
    gitOk(sb.tree, ['checkout', '-q', '-b', 'feature']);
    writeText(sb, 'app/util.py', 'def helper(x):\n    return x + x\n');
    commitAll(sb, 'feature edits util');
    gitOk(sb.tree, ['checkout', '-q', 'main']);
    writeText(sb, 'app/cycle_a.py', 'from app import cycle_b\n\ndef ping(n):\n    return "a"\n');
    commitAll(sb, 'main moves on');
    gitOk(sb.tree, ['checkout', '-q', 'feature']);
    // --force runs every selected job, so the selection itself shows: test_cycle is not in it.
    const since = await ran(sb, ['--since', 'main', '--force']);
    expect(since.json.since).toMatchObject({ mergeBase: base, changed: ['app/util.py'], deleted: [] });
    expect(since.files).toEqual(['tests/test_api.py', 'tests/test_util.py']);
  });

  test('uncommitted changes, staged or not, and untracked files count; ignored files do not', async () => {
    const sb = pythonRepo();
    await ran(sb);
    writeText(sb, 'app/cycle_b.py', 'from app import cycle_a\n\ndef pong(n):\n    return "b"\n'); // unstaged
    writeText(sb, 'tests/test_plugins.py', 'import unittest\nimport app.plugins\n# staged\n');
    gitOk(sb.tree, ['add', 'tests/test_plugins.py']);
    writeText(sb, 'tests/test_new.py', 'import unittest\nfrom app.util import helper\n'); // untracked
    writeText(sb, 'ignored/scratch.py', 'import app.util\n');
    const since = await ran(sb, ['--since', 'HEAD']);
    expect(since.json.since?.changed).toEqual(['app/cycle_b.py', 'tests/test_new.py', 'tests/test_plugins.py']);
    expect(since.files).toEqual(['tests/test_cycle.py', 'tests/test_new.py', 'tests/test_plugins.py']);
  });

  test('a deleted module runs the tests that imported it', async () => {
    const sb = pythonRepo();
    await ran(sb);
    gitOk(sb.tree, ['checkout', '-q', '-b', 'feature']);
    gitOk(sb.tree, ['rm', '-q', 'app/models.py']);
    commitAll(sb, 'feature deletes models');
    const since = await ran(sb, ['--since', 'main']);
    expect(since.json.since).toMatchObject({ changed: [], deleted: ['app/models.py'] });
    expect(since.files).toEqual(['tests/test_api.py']);
  });

  test('--staged too: a staged deletion of a module imported as `from app import models` checks its importer', async () => {
    const sb = pythonRepo();
    await ran(sb);
    gitOk(sb.tree, ['rm', '-q', 'app/models.py']);
    expect((await ran(sb, ['--staged'])).files).toEqual(['tests/test_api.py']);
  });

  test('FILE... narrows --since to what lies there; the summary says what git counted', async () => {
    const sb = pythonRepo();
    await ran(sb);
    writeText(sb, 'app/util.py', 'def helper(x):\n    return x + x\n');
    const dry = await runRunner(['run', '--since', 'HEAD', '--dry-run'], { cwd: sb.tree, env: gitTestEnv() });
    const head = gitOk(sb.tree, ['rev-parse', 'HEAD']).trim().slice(0, 12);
    expect(dry.stdout).toBe(
      'would run probe tests/test_api.py (dependency)\n' +
        'would run probe tests/test_util.py (dependency)\n' +
        `runner: since HEAD (merge base ${head}): 1 file changed, 0 deleted\n` +
        'runner: dry run: 2 jobs: 2 would run, 0 cached failures, 0 fresh\n',
    );
    expect((await ran(sb, ['--since', 'HEAD', 'tests/test_util.py'])).files).toEqual(['tests/test_util.py']);
    expect((await ran(sb, ['--since', 'HEAD'])).files).toEqual(['tests/test_api.py']);
  });

  test('issue 16: in a repository whose .gitignore does not name .runner/, git sees none of the state directory and --since counts none of it', async () => {
    // As a new user's repository (pypa/pip, after `runner init`): its own .gitignore, nothing about runner.
    const sb = useFixture('python-deps');
    probeOnly(sb, { deps: 'python', include: ['tests/**/*.py'] });
    writeText(sb, '.gitignore', '__pycache__/\n');
    initRepo(sb.tree);
    commitAll(sb, 'initial');
    expect((await ran(sb)).files).toEqual(ALL_PYTHON_TESTS); // logs, manifest, lock files written
    expect(gitOk(sb.tree, ['status', '--porcelain'])).toBe('');
    writeText(sb, 'app/util.py', 'def helper(x):\n    return x + x\n');
    const since = await ran(sb, ['--since', 'HEAD']);
    expect(since.json.since?.changed).toEqual(['app/util.py']);
    expect(since.files).toEqual(['tests/test_api.py', 'tests/test_util.py']);
    // `runner clean` still removes the whole state directory, its .gitignore with it.
    const clean = await runRunner(['clean'], { cwd: sb.tree, env: gitTestEnv() });
    expect(clean.code, show(clean)).toBe(0);
    expect(fs.existsSync(`${sb.tree}/.runner`)).toBe(false);
  });

  test('a ref that is not a commit, or a tree outside git, stops with exit 2 and runs nothing', async () => {
    const sb = pythonRepo();
    const res = await runRunner(['run', '--since', 'no-such-branch'], { cwd: sb.tree, env: gitTestEnv() });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toBe(
      `runner: error: --since no-such-branch: no such commit in the repository at ${fs.realpathSync(sb.tree)} ` +
        '(a branch, tag or commit name; a CI checkout may need to fetch it first)\n',
    );
    expect(readProbeLog(sb).started).toEqual([]);

    const outside = useFixture('python-deps');
    probeOnly(outside, { deps: 'python', include: ['tests/**/*.py'] });
    const out = await runRunner(['run', '--since', 'main'], { cwd: outside.tree, env: gitTestEnv() });
    expect(out.code, show(out)).toBe(2);
    expect(out.stderr).toMatch(
      /^runner: error: source tree .*: not in a git work tree \(git: fatal: not a git repository/,
    );
    expect(readProbeLog(outside).started).toEqual([]);
  });
});

describe('issue 16: run FILE... --dependents (python)', () => {
  test('runs the jobs of the files that depend on FILE, which FILE alone does not', async () => {
    const sb = pythonRepo();
    await ran(sb);
    writeText(sb, 'app/util.py', 'def helper(x):\n    return x + x\n');
    // util.py is tracked but no tool checks it: alone it selects no job.
    expect((await ran(sb, ['app/util.py'])).files).toEqual([]);
    expect((await ran(sb, ['app/util.py', '--dependents'])).files).toEqual(['tests/test_api.py', 'tests/test_util.py']);
    writeText(sb, 'app/cycle_a.py', 'from app import cycle_b\n\ndef ping(n):\n    return "a"\n');
    // A directory: every file below it is a change.
    expect((await ran(sb, ['app', '--dependents'])).files).toEqual(['tests/test_cycle.py']);
  });

  test('without FILE, or with --since or --staged, --dependents is a usage error', async () => {
    const sb = pythonRepo();
    const cases: [string[], string][] = [
      [['--dependents'], '--dependents runs the jobs of FILE... and of their dependents; name a FILE'],
      [
        ['--since', 'main', '--dependents', 'app'],
        '--since already runs the dependents of what changed; give no --dependents with it (FILE... then narrows the run)',
      ],
      [
        ['--staged', '--dependents', 'app'],
        '--staged already runs the dependents of what is staged; give no --dependents with it',
      ],
    ];
    for (const [args, message] of cases) {
      const res = await runRunner(['run', ...args], { cwd: sb.tree, env: gitTestEnv() });
      expect(res.code, show(res)).toBe(2);
      expect(res.stderr).toBe(`runner: error: ${message}\n`);
    }
  });
});

describe('issue 16: affected runs (javascript)', () => {
  test('--since runs the importers of a changed module, then of a deleted one', async () => {
    const sb = jsRepo();
    await ran(sb);
    gitOk(sb.tree, ['checkout', '-q', '-b', 'feature']);
    writeText(sb, 'lib/strings.ts', 'export const up = (s: string): string => s.toLocaleUpperCase();\n');
    commitAll(sb, 'feature edits strings');
    expect((await ran(sb, ['--since', 'main'])).files).toEqual([
      'lib/strings.ts',
      'src/api.ts',
      'src/index.ts',
      'src/util.ts',
      'test/api.test.ts',
    ]);
    // Deleted in the working tree, not committed: its importers' imports now resolve nowhere.
    fs.rmSync(`${sb.tree}/src/util.ts`);
    const since = await ran(sb, ['--since', 'main']);
    expect(since.json.since?.deleted).toEqual(['src/util.ts']);
    expect(since.files).toEqual(['src/api.ts', 'src/index.ts', 'test/api.test.ts']);
  });

  test('FILE... --dependents runs the modules and tests that import FILE', async () => {
    const sb = jsRepo();
    await ran(sb);
    writeText(sb, 'src/api.ts', "import { shout } from './util.js';\nexport const handle = (s: string) => shout(s);\n");
    expect((await ran(sb, ['src/api.ts', '--dependents'])).files).toEqual([
      'src/api.ts',
      'src/index.ts',
      'test/api.test.ts',
    ]);
  });
});
