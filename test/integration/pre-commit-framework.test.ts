// runner run --framework, as the pre-commit framework runs it (.pre-commit-hooks.yaml): what the
// framework asked for is checked (a range's changed files, all files), on real git repositories,
// with the arguments and environment pre-commit gives its hook.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { jobKeys, runJson, runRunner, show } from '../helpers/cli.js';
import { checked, gitOk, gitTestEnv, useRepo } from '../helpers/git.js';

const env = gitTestEnv();

function write(dir: string, rel: string, text: string): void {
  fs.writeFileSync(path.join(dir, rel), text);
}

function commitAll(dir: string, message: string): string {
  gitOk(dir, ['add', '-A', '.']);
  gitOk(dir, ['commit', '-q', '-m', message]);
  return gitOk(dir, ['rev-parse', 'HEAD']).trim();
}

describe('run --framework (the pre-commit framework hook)', () => {
  test('issue 15: run --all-files (nothing staged, every tracked file passed) fails on a committed error', async () => {
    const sb = useRepo();
    write(sb.tree, 'notes/a.txt', 'a BAD line, committed\n');
    commitAll(sb.tree, 'bad');
    const files = gitOk(sb.tree, ['ls-files']).trim().split('\n');
    const res = await runRunner(['run', '--framework', ...files], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(1);
    expect(res.stderr + res.stdout).toContain('check: BAD in notes/a.txt');
    expect(checked(sb)).toContain('notes/a.txt');
  });

  test('issue 15: a --from-ref/--to-ref range checks its changed files and the tests that import them, in the working tree', async () => {
    const sb = useRepo();
    const from = gitOk(sb.tree, ['rev-parse', 'HEAD']).trim();
    write(sb.tree, 'lib/util.py', 'def helper(:\n'); // a syntax error the importing test reveals
    const to = commitAll(sb.tree, 'break util');
    const changed = gitOk(sb.tree, ['diff', '--name-only', `${from}...${to}`])
      .trim()
      .split('\n');
    const rangeEnv = { ...env, PRE_COMMIT_FROM_REF: from, PRE_COMMIT_TO_REF: to };
    const { res, json } = await runJson(['run', '--framework', ...changed], { cwd: sb.tree, env: rangeEnv });
    expect(res.code, show(res)).toBe(1);
    expect(jobKeys(json.jobs)).toEqual(['test tests/test_util.py']);
    expect(json.jobs[0]!.status).toBe('failed');
  });

  test('issue 15: a range that deletes a module runs the tests that imported it, though the framework passes no file for it', async () => {
    const sb = useRepo();
    const first = await runRunner(['run'], { cwd: sb.tree, env });
    expect(first.code, show(first)).toBe(0);
    const from = gitOk(sb.tree, ['rev-parse', 'HEAD']).trim();
    fs.rmSync(path.join(sb.tree, 'lib/util.py'));
    const to = commitAll(sb.tree, 'drop util');
    const rangeEnv = { ...env, PRE_COMMIT_FROM_REF: from, PRE_COMMIT_TO_REF: to };
    // pre-commit passes the range's changed files that exist: none here.
    const { res, json } = await runJson(['run', '--framework'], { cwd: sb.tree, env: rangeEnv });
    expect(res.code, show(res)).toBe(1);
    expect(jobKeys(json.jobs)).toEqual(['test tests/test_util.py']);
    expect(json.jobs[0]!.status).toBe('failed');
  });

  test("issue 15: a range that changes none of the config's files runs no job and passes", async () => {
    const sb = useRepo();
    const from = gitOk(sb.tree, ['rev-parse', 'HEAD']).trim();
    write(sb.tree, 'other.md', 'not a file of the config\n');
    const to = commitAll(sb.tree, 'docs');
    const rangeEnv = { ...env, PRE_COMMIT_FROM_REF: from, PRE_COMMIT_TO_REF: to };
    const { res, json } = await runJson(['run', '--framework', 'other.md'], { cwd: sb.tree, env: rangeEnv });
    expect(res.code, show(res)).toBe(0);
    expect(json.jobs).toEqual([]);
    expect(checked(sb)).toEqual([]);
  });

  test('inside git commit (GIT_INDEX_FILE set) it checks the staged content, as --staged does, whatever files are passed', async () => {
    const sb = useRepo();
    write(sb.tree, 'notes/b.txt', 'a BAD line, staged\n');
    gitOk(sb.tree, ['add', 'notes/b.txt']);
    write(sb.tree, 'notes/b.txt', 'fixed in the working tree only\n');
    const index = path.join(sb.repo, '.git', 'index');
    const res = await runRunner(['run', '--framework', 'notes/b.txt'], {
      cwd: sb.tree,
      env: { ...env, GIT_INDEX_FILE: index },
    });
    expect(res.code, show(res)).toBe(1);
    expect(res.stderr + res.stdout).toContain('check: BAD in notes/b.txt');
  });

  test('--framework with --staged is a usage error', async () => {
    const sb = useRepo();
    const res = await runRunner(['run', '--framework', '--staged'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toContain('give no --staged with it');
  });
});
