// runner hook install|uninstall, and real `git commit`s through the installed
// hook (test/helpers/git.ts): what it blocks, what it lets through, how it
// chains the hook it found, and how uninstall puts that hook back.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runRunner, show } from '../helpers/cli.js';
import { type GitResult, checked, commitCount, git, gitOk, gitTestEnv, stagedTrees, useRepo } from '../helpers/git.js';

const env = gitTestEnv();

function write(dir: string, rel: string, text: string): void {
  fs.writeFileSync(path.join(dir, rel), text);
}

function commit(repo: string, ...args: string[]): GitResult {
  return git(repo, ['commit', '-m', 'a commit', ...args]);
}

const showGit = (r: GitResult): string => `exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;

async function install(cwd: string, ...args: string[]): Promise<void> {
  const res = await runRunner(['hook', 'install', ...args], { cwd, env });
  expect(res.code, show(res)).toBe(0);
}

/** A hook of the user's: records that it ran, and exits with the code in `verdict` (0 when absent). */
function userHook(scratch: string): string {
  return `#!/bin/sh\necho ran >> '${scratch}/user-hook.log'\nexit "$(cat '${scratch}/verdict' 2>/dev/null || echo 0)"\n`;
}

const userHookRuns = (scratch: string): number =>
  fs.existsSync(path.join(scratch, 'user-hook.log'))
    ? fs.readFileSync(path.join(scratch, 'user-hook.log'), 'utf8').split('\n').length - 1
    : 0;

describe('the installed hook', () => {
  test('a clean commit passes; a commit with a failing staged file is blocked, with the tool output in git output', async () => {
    const sb = useRepo();
    await install(sb.tree);
    write(sb.tree, 'notes/a.txt', 'a good line\n');
    gitOk(sb.tree, ['add', 'notes/a.txt']);
    const ok = commit(sb.tree);
    expect(ok.code, showGit(ok)).toBe(0);
    expect(commitCount(sb.tree)).toBe(2);
    expect(checked(sb)).toEqual(['notes/a.txt']);

    write(sb.tree, 'notes/b.txt', 'a BAD line\n');
    gitOk(sb.tree, ['add', 'notes/b.txt']);
    const blocked = commit(sb.tree);
    expect(blocked.code, showGit(blocked)).not.toBe(0);
    expect(commitCount(sb.tree)).toBe(2);
    expect(blocked.stdout + blocked.stderr).toContain('check: BAD in notes/b.txt');
    expect(blocked.stdout + blocked.stderr).toMatch(/FAIL check notes\/b\.txt/);
    expect(stagedTrees(path.join(sb.tree, '.runner'))).toEqual([]);
  });

  test('a partially staged file: bad staged and fixed in the working tree is blocked; good staged, broken unstaged passes', async () => {
    const sb = useRepo();
    await install(sb.tree);
    write(sb.tree, 'notes/a.txt', 'a BAD line\n');
    gitOk(sb.tree, ['add', 'notes/a.txt']);
    write(sb.tree, 'notes/a.txt', 'fixed in the working tree only\n');
    const blocked = commit(sb.tree);
    expect(blocked.code, showGit(blocked)).not.toBe(0);
    expect(blocked.stderr).toContain('check: BAD in notes/a.txt');
    expect(commitCount(sb.tree)).toBe(1);

    gitOk(sb.tree, ['add', 'notes/a.txt']);
    write(sb.tree, 'notes/a.txt', 'a BAD line, not staged\n');
    const ok = commit(sb.tree);
    expect(ok.code, showGit(ok)).toBe(0);
    expect(commitCount(sb.tree)).toBe(2);
    expect(gitOk(sb.tree, ['show', 'HEAD:notes/a.txt'])).toBe('fixed in the working tree only\n');
  });

  test('content already checked by runner run is not checked again by the hook', async () => {
    const sb = useRepo();
    await install(sb.tree);
    write(sb.tree, 'notes/a.txt', 'checked once\n');
    const run = await runRunner(['run'], { cwd: sb.tree, env });
    expect(run.code, show(run)).toBe(0);
    expect(checked(sb).filter((f) => f === 'notes/a.txt')).toHaveLength(1);
    gitOk(sb.tree, ['add', 'notes/a.txt']);
    const ok = commit(sb.tree);
    expect(ok.code, showGit(ok)).toBe(0);
    expect(checked(sb).filter((f) => f === 'notes/a.txt')).toHaveLength(1);
  });

  test('git commit -a and git commit FILE are judged by the index git commits (GIT_INDEX_FILE)', async () => {
    const sb = useRepo();
    await install(sb.tree);
    write(sb.tree, 'notes/a.txt', 'a BAD line, unstaged\n');
    const all = commit(sb.tree, '-a');
    expect(all.code, showGit(all)).not.toBe(0);
    expect(all.stderr).toContain('check: BAD in notes/a.txt');
    expect(commitCount(sb.tree)).toBe(1);

    gitOk(sb.tree, ['add', 'notes/a.txt']); // staged, but not part of the next commit
    write(sb.tree, 'notes/b.txt', 'a good line\n');
    const only = commit(sb.tree, 'notes/b.txt');
    expect(only.code, showGit(only)).toBe(0);
    expect(commitCount(sb.tree)).toBe(2);
  });

  test('core.hooksPath is honoured', async () => {
    const sb = useRepo();
    gitOk(sb.tree, ['config', 'core.hooksPath', 'my-hooks']);
    await install(sb.tree);
    expect(fs.existsSync(path.join(sb.tree, 'my-hooks', 'pre-commit'))).toBe(true);
    expect(fs.existsSync(path.join(sb.tree, '.git', 'hooks', 'pre-commit'))).toBe(false);
    write(sb.tree, 'notes/a.txt', 'BAD\n');
    gitOk(sb.tree, ['add', 'notes/a.txt']);
    const blocked = commit(sb.tree);
    expect(blocked.code, showGit(blocked)).not.toBe(0);
    expect(blocked.stderr).toContain('check: BAD in notes/a.txt');
  });

  test('a source tree in a subdirectory: the hook runs runner on it (-C) from the repository root', async () => {
    const sb = useRepo('pkg/app');
    const res = await runRunner(['-C', 'pkg/app', 'hook', 'install'], { cwd: sb.repo, env });
    expect(res.code, show(res)).toBe(0);
    expect(fs.readFileSync(path.join(sb.repo, '.git', 'hooks', 'pre-commit'), 'utf8')).toMatch(
      / -C pkg\/app -q run --staged\n/,
    );
    write(sb.tree, 'notes/a.txt', 'BAD\n');
    gitOk(sb.repo, ['add', '-A']);
    const blocked = commit(path.join(sb.repo, 'pkg')); // git runs the hook from the root whatever the cwd
    expect(blocked.code, showGit(blocked)).not.toBe(0);
    expect(blocked.stderr).toContain('check: BAD in notes/a.txt');
  });
});

describe('hook install and uninstall', () => {
  test('an existing hook is kept, runs first, and its failure blocks the commit', async () => {
    const sb = useRepo();
    const hook = path.join(sb.tree, '.git', 'hooks', 'pre-commit');
    fs.writeFileSync(hook, userHook(sb.scratch), { mode: 0o755 });
    const res = await runRunner(['hook', 'install'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(0);
    expect(res.stdout).toContain('pre-commit.runner-previous');
    write(sb.tree, 'notes/a.txt', 'good\n');
    gitOk(sb.tree, ['add', 'notes/a.txt']);
    const ok = commit(sb.tree);
    expect(ok.code, showGit(ok)).toBe(0);
    expect(userHookRuns(sb.scratch)).toBe(1);
    expect(checked(sb)).toEqual(['notes/a.txt']);

    fs.writeFileSync(path.join(sb.scratch, 'verdict'), '3\n');
    write(sb.tree, 'notes/b.txt', 'good too\n');
    gitOk(sb.tree, ['add', 'notes/b.txt']);
    const blocked = commit(sb.tree);
    expect(blocked.code, showGit(blocked)).not.toBe(0);
    expect(userHookRuns(sb.scratch)).toBe(2);
    expect(commitCount(sb.tree)).toBe(2);
  });

  test('uninstall puts the original hook back byte for byte, with its mode; a second uninstall has nothing to do', async () => {
    const sb = useRepo();
    const hook = path.join(sb.tree, '.git', 'hooks', 'pre-commit');
    const original = Buffer.from(userHook(sb.scratch) + '# no newline at the end, and a byte: \xe9');
    fs.writeFileSync(hook, original, { mode: 0o750 });
    const mode = fs.statSync(hook).mode;
    await install(sb.tree);
    expect(fs.readFileSync(hook, 'utf8')).toContain('runner pre-commit hook');
    const res = await runRunner(['hook', 'uninstall'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(0);
    expect(fs.readFileSync(hook).equals(original)).toBe(true);
    expect(fs.statSync(hook).mode).toBe(mode);
    expect(fs.existsSync(hook + '.runner-previous')).toBe(false);
    const again = await runRunner(['hook', 'uninstall'], { cwd: sb.tree, env });
    expect(again.code, show(again)).toBe(2); // the original is not runner's
    expect(fs.readFileSync(hook).equals(original)).toBe(true);
  });

  test('without an earlier hook, uninstall removes the hook; then there is nothing to remove', async () => {
    const sb = useRepo();
    const hook = path.join(sb.tree, '.git', 'hooks', 'pre-commit');
    await install(sb.tree);
    expect(fs.statSync(hook).mode & 0o111).not.toBe(0);
    const res = await runRunner(['hook', 'uninstall'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(0);
    expect(fs.existsSync(hook)).toBe(false);
    const again = await runRunner(['hook', 'uninstall'], { cwd: sb.tree, env });
    expect(again.code, show(again)).toBe(0);
    expect(again.stdout).toContain('nothing to remove');
  });

  test("installing again rewrites runner's hook in place and never chains it to itself", async () => {
    const sb = useRepo();
    const hook = path.join(sb.tree, '.git', 'hooks', 'pre-commit');
    const original = userHook(sb.scratch);
    fs.writeFileSync(hook, original, { mode: 0o755 });
    await install(sb.tree);
    const first = fs.readFileSync(hook, 'utf8');
    await install(sb.tree);
    expect(fs.readFileSync(hook, 'utf8')).toBe(first);
    expect(fs.readFileSync(hook + '.runner-previous', 'utf8')).toBe(original);
    await runRunner(['hook', 'uninstall'], { cwd: sb.tree, env });
    expect(fs.readFileSync(hook, 'utf8')).toBe(original);
  });

  test('a foreign hook whose backup name is taken is refused (exit 2, nothing changed); --force replaces the backup', async () => {
    const sb = useRepo();
    const hook = path.join(sb.tree, '.git', 'hooks', 'pre-commit');
    fs.writeFileSync(hook, userHook(sb.scratch), { mode: 0o755 });
    fs.writeFileSync(hook + '.runner-previous', '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const res = await runRunner(['hook', 'install'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toMatch(
      /^runner: error: .*pre-commit: is not runner's, and pre-commit\.runner-previous, where runner would keep it, is taken; .*--force/m,
    );
    expect(fs.readFileSync(hook, 'utf8')).toBe(userHook(sb.scratch));
    expect(fs.readFileSync(hook + '.runner-previous', 'utf8')).toBe('#!/bin/sh\nexit 0\n');

    await install(sb.tree, '--force');
    expect(fs.readFileSync(hook, 'utf8')).toContain('runner pre-commit hook');
    expect(fs.readFileSync(hook + '.runner-previous', 'utf8')).toBe(userHook(sb.scratch));
  });

  test('a hook that is a symbolic link is refused; --force keeps the link and chains it', async () => {
    const sb = useRepo();
    const hook = path.join(sb.tree, '.git', 'hooks', 'pre-commit');
    const target = path.join(sb.scratch, 'managed-hook');
    fs.writeFileSync(target, userHook(sb.scratch), { mode: 0o755 });
    fs.symlinkSync(target, hook);
    const res = await runRunner(['hook', 'install'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toContain('is a symbolic link');
    expect(fs.readlinkSync(hook)).toBe(target);

    await install(sb.tree, '--force');
    expect(fs.readlinkSync(hook + '.runner-previous')).toBe(target);
    write(sb.tree, 'notes/a.txt', 'good\n');
    gitOk(sb.tree, ['add', 'notes/a.txt']);
    const ok = commit(sb.tree);
    expect(ok.code, showGit(ok)).toBe(0);
    expect(userHookRuns(sb.scratch)).toBe(1);
    expect(checked(sb)).toEqual(['notes/a.txt']);
  });

  test('uninstall refuses a hook runner did not write (exit 2) and leaves it', async () => {
    const sb = useRepo();
    const hook = path.join(sb.tree, '.git', 'hooks', 'pre-commit');
    fs.writeFileSync(hook, userHook(sb.scratch), { mode: 0o755 });
    const res = await runRunner(['hook', 'uninstall'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toMatch(/pre-commit: is not runner's hook; not removing it/);
    expect(fs.readFileSync(hook, 'utf8')).toBe(userHook(sb.scratch));
  });

  test('a source tree without a loadable config is refused (exit 2): such a hook would block every commit', async () => {
    const sb = useRepo();
    fs.rmSync(path.join(sb.tree, '.runnerrc.json'));
    const res = await runRunner(['hook', 'install'], { cwd: path.join(sb.tree, 'notes'), env });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toMatch(/^runner: error: .*config is missing/m);
    expect(fs.existsSync(path.join(sb.tree, '.git/hooks/pre-commit'))).toBe(false);
  });

  test('issue 15: installed from a subdirectory, the hook checks the source tree whose config is above it', async () => {
    const sb = useRepo();
    await install(path.join(sb.tree, 'notes'));
    expect(fs.readFileSync(path.join(sb.tree, '.git', 'hooks', 'pre-commit'), 'utf8')).toMatch(/ -q run --staged\n/);
    expect(fs.readFileSync(path.join(sb.tree, '.git', 'hooks', 'pre-commit'), 'utf8')).not.toMatch(/ -C /);
    write(sb.tree, 'notes/a.txt', 'BAD\n');
    gitOk(sb.tree, ['add', 'notes/a.txt']);
    const blocked = commit(path.join(sb.tree, 'notes'));
    expect(blocked.code, showGit(blocked)).not.toBe(0);
    expect(blocked.stderr).toContain('check: BAD in notes/a.txt');
    expect(fs.existsSync(path.join(sb.tree, 'notes', '.runner'))).toBe(false);
  });

  test('outside a git repository: exit 2 with a clear message, nothing written', async () => {
    const sb = useRepo();
    fs.rmSync(path.join(sb.tree, '.git'), { recursive: true });
    const res = await runRunner(['hook', 'install'], {
      cwd: sb.tree,
      env: gitTestEnv({ GIT_CEILING_DIRECTORIES: path.dirname(sb.tree) }),
    });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toMatch(/^runner: error: source tree .*: not in a git work tree/m);
    expect(fs.existsSync(path.join(sb.tree, '.git'))).toBe(false);
  });
});
