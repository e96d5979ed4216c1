// What git ignores is not tracked (issue 15, point 8): the real bin/runner on a
// real git repository, counting with the probe which jobs really ran. Each
// tree is the python-deps fixture with the probe on every .py file.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { type RunJson, baseEnv, jobKeys, runJson, runRunner, show, startRunner } from '../helpers/cli.js';
import { gitOk, initRepo } from '../helpers/git.js';
import { probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, useFixture, writeText } from '../helpers/sandbox.js';
import { waitForCycle } from '../helpers/watch-cycles.js';

/** HOME in the scratch directory: the machine's own git config and excludes file never count. */
const envOf = (sb: Sandbox): Record<string, string> => baseEnv({ HOME: sb.scratch });

/** Runs once; returns the files whose probe job started and the run's JSON. */
async function probed(sb: Sandbox): Promise<{ started: string[]; json: RunJson }> {
  resetProbeLog(sb);
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: envOf(sb) });
  expect(res.code, show(res)).toBe(0);
  return { started: readProbeLog(sb).started.sort(), json };
}

/** The python-deps fixture in a git repository (nothing committed), the probe on every .py file. */
function repoTree(tool: Record<string, unknown> = {}, top: Record<string, unknown> = {}): Sandbox {
  const sb = useFixture('python-deps');
  probeOnly(sb, tool, top);
  initRepo(sb.tree);
  return sb;
}

const FIXTURE_FILES = [
  'app/__init__.py',
  'app/api.py',
  'app/cycle_a.py',
  'app/cycle_b.py',
  'app/models.py',
  'app/plugins.py',
  'app/util.py',
  'tests/test_api.py',
  'tests/test_cycle.py',
  'tests/test_plugins.py',
  'tests/test_util.py',
];

/** A virtual environment's worth of Python files, which no job should check. */
function addVenv(sb: Sandbox): void {
  for (let i = 0; i < 5; i++) writeText(sb, `.venv/lib/python3/site-packages/pkg${i}/__init__.py`, `X = ${i}\n`);
}

describe('issue 15: what git ignores is not tracked', () => {
  test('an untracked .venv/ that .gitignore names adds no jobs', async () => {
    const sb = repoTree();
    addVenv(sb);
    writeText(sb, '.gitignore', '.venv/\n');
    const first = await probed(sb);
    expect(first.started).toEqual(FIXTURE_FILES);
    expect(first.json.counts.jobs).toBe(FIXTURE_FILES.length);
    expect((await probed(sb)).started).toEqual([]);
  });

  test('a nested .gitignore and its negation, and .git/info/exclude, are honoured', async () => {
    const sb = repoTree();
    writeText(sb, 'app/.gitignore', '*.py\n!api.py\n!__init__.py\n');
    fs.appendFileSync(path.join(sb.tree, '.git/info/exclude'), 'tests/test_cycle.py\n');
    // A file inside an ignored directory cannot be re-included (gitignore(5)).
    writeText(sb, 'gen/out/keep.py', '');
    writeText(sb, '.gitignore', 'gen/\n!gen/out/keep.py\n');
    const { started } = await probed(sb);
    expect(started).toEqual([
      'app/__init__.py',
      'app/api.py',
      'tests/test_api.py',
      'tests/test_plugins.py',
      'tests/test_util.py',
    ]);
  });

  test('editing .gitignore removes the newly ignored files and adds the un-ignored ones on the next run', async () => {
    const sb = repoTree();
    writeText(sb, '.gitignore', 'app/models.py\n');
    expect((await probed(sb)).started).toEqual(FIXTURE_FILES.filter((f) => f !== 'app/models.py'));
    // In place (the directory's listing is unchanged): a new pattern, and the old one dropped.
    fs.writeFileSync(path.join(sb.tree, '.gitignore'), 'app/util.py\n');
    const second = await probed(sb);
    expect(second.started).toEqual(['app/models.py']);
    expect(jobKeys(second.json.jobs).some((k) => k.includes('app/util.py'))).toBe(false);
    expect(second.json.counts.jobs).toBe(FIXTURE_FILES.length - 1);
    // A change to the ignored file runs nothing; dropping the pattern brings its job back.
    writeText(sb, 'app/util.py', 'VALUE = 99\n');
    expect((await probed(sb)).started).toEqual([]);
    fs.writeFileSync(path.join(sb.tree, '.gitignore'), '');
    expect((await probed(sb)).started).toEqual(['app/util.py']);
  });

  test('"gitignore": false tracks what git ignores; a value that is not a boolean stops with exit 2 naming the key', async () => {
    const sb = repoTree({}, { gitignore: false });
    addVenv(sb);
    writeText(sb, '.gitignore', '.venv/\n');
    const { started } = await probed(sb);
    expect(started.filter((f) => f.startsWith('.venv/'))).toHaveLength(5);
    probeOnly(sb, {}, { gitignore: 'no' });
    const res = await runRunner(['run'], { cwd: sb.tree, env: envOf(sb) });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toContain('gitignore is "no"');
  });

  test('a module git ignores, imported by a test, still re-runs the test when it changes', async () => {
    const sb = repoTree({ deps: 'python' }, { addSourceTreeToPythonPath: true });
    writeText(sb, '.gitignore', 'app/generated.py\n');
    writeText(sb, 'app/generated.py', 'VALUE = 1\n');
    writeText(sb, 'tests/test_generated.py', 'from app.generated import VALUE\n');
    const first = await probed(sb);
    expect(first.started).not.toContain('app/generated.py');
    expect(first.started).toContain('tests/test_generated.py');
    expect((await probed(sb)).started).toEqual([]);
    writeText(sb, 'app/generated.py', 'VALUE = 2\n');
    expect((await probed(sb)).started).toEqual(['tests/test_generated.py']);
  });

  test('a file git tracks is checked even when a pattern matches it, from the run after `git add -f`', async () => {
    const sb = repoTree();
    writeText(sb, '.gitignore', 'app/util.py\nbuild/\n');
    writeText(sb, 'build/gen/keep.py', '');
    writeText(sb, 'build/gen/other.py', '');
    gitOk(sb.tree, ['add', '-f', 'app/util.py']);
    expect((await probed(sb)).started).toEqual(FIXTURE_FILES);
    // No directory changes: only the index does.
    gitOk(sb.tree, ['add', '-f', 'build/gen/keep.py']);
    expect((await probed(sb)).started).toEqual(['build/gen/keep.py']);
    expect((await probed(sb)).started).toEqual([]);
    // No longer tracked: ignored again, its job gone.
    gitOk(sb.tree, ['rm', '-q', '--cached', 'app/util.py']);
    const untracked = await probed(sb);
    expect(untracked.started).toEqual([]);
    expect(untracked.json.counts.jobs).toBe(FIXTURE_FILES.length); // the fixture's 11 less util.py, plus keep.py
  });

  test('in watch mode, an edit to .gitignore drops the newly ignored file and a cycle brings back the re-included one', async () => {
    const sb = repoTree();
    writeText(sb, '.gitignore', '');
    const w = startRunner(['watch', '--json', '--debounce', '100'], { cwd: sb.tree, env: envOf(sb) });
    try {
      type Cycle = RunJson & { cycle: number; watching: number };
      const cycle = (n: number): Promise<Cycle> => waitForCycle<Cycle>(w, n, 30_000);
      const first = await cycle(1);
      // Only .py files are tracked ("include" of the fixture): .gitignore is watched all the same.
      expect(first.watching).toBe(FIXTURE_FILES.length);
      fs.writeFileSync(path.join(sb.tree, '.gitignore'), 'app/util.py\n');
      const second = await cycle(2);
      expect(second.watching).toBe(FIXTURE_FILES.length - 1);
      expect(second.counts.ran).toBe(0);
      resetProbeLog(sb);
      // Changed while ignored, then re-included: its job runs.
      writeText(sb, 'app/util.py', 'VALUE = 7\n');
      await new Promise((resolve) => setTimeout(resolve, 500));
      fs.writeFileSync(path.join(sb.tree, '.gitignore'), '');
      const third = await cycle(3);
      expect(third.watching).toBe(FIXTURE_FILES.length);
      expect(jobKeys(third.jobs)).toEqual(['probe app/util.py']);
      expect(readProbeLog(sb).started).toEqual(['app/util.py']);
    } finally {
      w.child.kill('SIGINT');
      await w.result;
    }
  });
});
