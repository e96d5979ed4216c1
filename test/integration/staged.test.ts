// runner run --staged on real git repositories (test/helpers/git.ts): what is
// checked is the content in the index, the jobs are those a commit can
// change, and results are shared with plain `runner run` both ways.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { type RunJson, jobKeys, runJson, runRunner, show, startRunner } from '../helpers/cli.js';
import { checked, gitOk, gitTestEnv, initRepo, stagedLockHeld, stagedTrees, useRepo } from '../helpers/git.js';
import { readConfig, useFixture, waitFor, writeConfig } from '../helpers/sandbox.js';

const env = gitTestEnv();

function write(dir: string, rel: string, text: string): void {
  fs.writeFileSync(path.join(dir, rel), text);
}

describe('run --staged', () => {
  test('nothing staged: exit 0 with a message, no job run', async () => {
    const sb = useRepo();
    write(sb.tree, 'notes/a.txt', 'BAD but not staged\n');
    const res = await runRunner(['run', '--staged'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(0);
    expect(res.stdout).toContain('nothing staged for commit');
    expect(checked(sb)).toEqual([]);
    expect(stagedTrees(path.join(sb.tree, '.runner'))).toEqual([]);
  });

  test('only the jobs of staged files run, on the staged content, in the kept staged tree', async () => {
    const sb = useRepo();
    write(sb.tree, 'notes/b.txt', 'second note, edited\n');
    gitOk(sb.tree, ['add', 'notes/b.txt']);
    write(sb.tree, 'notes/b.txt', 'second note, edited again but not staged\n');
    const { res, json } = await runJson(['run', '--staged'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(0);
    expect(jobKeys(json.jobs)).toEqual(['check notes/b.txt']);
    expect(json.jobs[0]!.status).toBe('passed');
    expect((json as unknown as { staged: string[] }).staged).toEqual(['notes/b.txt']);
    expect(checked(sb)).toEqual(['notes/b.txt']);
    const stateDir = path.join(sb.tree, '.runner');
    expect(stagedTrees(stateDir)).toEqual([]);
    expect(stagedLockHeld(stateDir)).toBe(false);
    expect(fs.readFileSync(path.join(stateDir, 'staged/notes/b.txt'), 'utf8')).toBe('second note, edited\n');
    // Only the index's files: nothing untracked or ignored is copied.
    expect(fs.existsSync(path.join(stateDir, 'staged/.runner'))).toBe(false);
  });

  test('the kept staged tree is brought up to date: only changed files are written, what a job changed is put back', async () => {
    const sb = useRepo();
    const staged = path.join(sb.tree, '.runner/staged');
    write(sb.tree, 'notes/a.txt', 'first edit\n');
    gitOk(sb.tree, ['add', 'notes/a.txt']);
    expect((await runRunner(['run', '--staged'], { cwd: sb.tree, env })).code).toBe(0);
    const before = fs.statSync(path.join(staged, 'lib/util.py'));
    // As if a job had rewritten or removed files of the staged tree, and left one of its own.
    fs.writeFileSync(path.join(staged, 'notes/b.txt'), 'changed by a job\n');
    fs.rmSync(path.join(staged, 'check.cfg'));
    fs.writeFileSync(path.join(staged, 'notes/left.txt'), 'BAD, left by a job\n');
    gitOk(sb.tree, ['rm', '-q', '--cached', 'README.md']);
    write(sb.tree, 'notes/a.txt', 'second edit\n');
    gitOk(sb.tree, ['add', 'notes/a.txt']);
    const { res, json } = await runJson(['run', '--staged'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(0);
    // A file only a job wrote is not part of the commit: no job for it.
    expect(jobKeys(json.jobs)).toEqual(['check notes/a.txt']);
    expect(fs.readFileSync(path.join(staged, 'notes/a.txt'), 'utf8')).toBe('second edit\n');
    expect(fs.readFileSync(path.join(staged, 'notes/b.txt'), 'utf8')).toBe(gitOk(sb.tree, ['show', ':notes/b.txt']));
    expect(fs.readFileSync(path.join(staged, 'check.cfg'), 'utf8')).toBe(gitOk(sb.tree, ['show', ':check.cfg']));
    expect(fs.existsSync(path.join(staged, 'README.md'))).toBe(false);
    const after = fs.statSync(path.join(staged, 'lib/util.py'));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  test('while another runner holds the kept staged tree, a temporary one is used and removed', async () => {
    const sb = useRepo();
    const stateDir = path.join(sb.tree, '.runner');
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(path.join(stateDir, 'staged.lock'), `${process.pid}\n`); // this test process: alive
    write(sb.tree, 'notes/a.txt', 'a BAD line\n');
    gitOk(sb.tree, ['add', 'notes/a.txt']);
    const res = await runRunner(['run', '--staged'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(1);
    expect(res.stdout).toContain('check: BAD in notes/a.txt');
    expect(stagedTrees(stateDir)).toEqual([]);
    expect(fs.existsSync(path.join(stateDir, 'staged'))).toBe(false);
    expect(fs.readFileSync(path.join(stateDir, 'staged.lock'), 'utf8')).toBe(`${process.pid}\n`);
    // A lock left by a runner that is gone is taken over.
    fs.writeFileSync(path.join(stateDir, 'staged.lock'), `${spawnSync('true').pid!}\n`);
    const again = await runRunner(['run', '--staged'], { cwd: sb.tree, env });
    expect(again.code, show(again)).toBe(1);
    expect(fs.existsSync(path.join(stateDir, 'staged/notes/a.txt'))).toBe(true);
    expect(stagedLockHeld(stateDir)).toBe(false);
  });

  test('a failing staged file fails the run (exit 1) with the tool output shown', async () => {
    const sb = useRepo();
    write(sb.tree, 'notes/a.txt', 'a BAD line\n');
    gitOk(sb.tree, ['add', 'notes/a.txt']);
    const res = await runRunner(['run', '--staged'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(1);
    expect(res.stdout).toMatch(/^FAIL check notes\/a\.txt/m);
    expect(res.stdout).toContain('check: BAD in notes/a.txt');
  });

  test('a partially staged file is judged by its staged content; the working tree stays judged by its own', async () => {
    const sb = useRepo();
    // Bad content staged, fixed in the working tree: --staged fails, run passes.
    write(sb.tree, 'notes/a.txt', 'a BAD line\n');
    gitOk(sb.tree, ['add', 'notes/a.txt']);
    write(sb.tree, 'notes/a.txt', 'a fixed line\n');
    const staged = await runRunner(['run', '--staged'], { cwd: sb.tree, env });
    expect(staged.code, show(staged)).toBe(1);
    expect(staged.stdout).toContain('check: BAD in notes/a.txt');
    const plain = await runJson(['run'], { cwd: sb.tree, env });
    expect(plain.res.code, show(plain.res)).toBe(0);
    expect(plain.json.jobs.find((j) => j.tool === 'check' && j.file === 'notes/a.txt')?.status).toBe('passed');

    // Good content staged, broken in the working tree: --staged passes, run fails.
    write(sb.tree, 'notes/b.txt', 'a good staged line\n');
    gitOk(sb.tree, ['add', 'notes/b.txt']);
    write(sb.tree, 'notes/b.txt', 'a BAD unstaged line\n');
    gitOk(sb.tree, ['add', 'notes/a.txt']); // the fix of a.txt too
    const staged2 = await runJson(['run', '--staged'], { cwd: sb.tree, env });
    expect(staged2.res.code, show(staged2.res)).toBe(0);
    const plain2 = await runJson(['run'], { cwd: sb.tree, env });
    expect(plain2.res.code, show(plain2.res)).toBe(1);
    expect(plain2.json.jobs.filter((j) => j.status === 'failed').map((j) => `${j.tool} ${j.file}`)).toEqual([
      'check notes/b.txt',
    ]);
  });

  test('a result is shared both ways: content checked by run is not checked again by --staged, and the reverse', async () => {
    const sb = useRepo();
    const first = await runJson(['run'], { cwd: sb.tree, env });
    expect(first.res.code, show(first.res)).toBe(0);
    expect(checked(sb).sort()).toEqual(['notes/a.txt', 'notes/b.txt']);

    // Checked by run, then staged unchanged: fresh under --staged.
    write(sb.tree, 'notes/a.txt', 'edited and checked by run\n');
    expect((await runRunner(['run'], { cwd: sb.tree, env })).code).toBe(0);
    gitOk(sb.tree, ['add', 'notes/a.txt']);
    const before = checked(sb).length;
    const staged = await runJson(['run', '--staged'], { cwd: sb.tree, env });
    expect(staged.res.code, show(staged.res)).toBe(0);
    expect(staged.json.jobs).toEqual([]);
    expect(staged.json.counts).toMatchObject({ jobs: 1, fresh: 1, ran: 0 });
    expect(checked(sb)).toHaveLength(before);

    // Checked by --staged first: run finds it fresh.
    write(sb.tree, 'notes/b.txt', 'edited and checked by --staged\n');
    gitOk(sb.tree, ['add', 'notes/b.txt']);
    const staged2 = await runJson(['run', '--staged'], { cwd: sb.tree, env });
    expect(jobKeys(staged2.json.jobs)).toEqual(['check notes/b.txt']);
    const plain = await runJson(['run'], { cwd: sb.tree, env });
    expect(plain.res.code, show(plain.res)).toBe(0);
    expect(plain.json.jobs).toEqual([]);
    expect(checked(sb).filter((f) => f === 'notes/b.txt')).toHaveLength(2); // the first run's, and --staged's

    // A failure found by --staged is a cached failure the next time, not run again.
    write(sb.tree, 'notes/a.txt', 'BAD\n');
    gitOk(sb.tree, ['add', 'notes/a.txt']);
    expect((await runRunner(['run', '--staged'], { cwd: sb.tree, env })).code).toBe(1);
    const count = checked(sb).length;
    const again = await runJson(['run', '--staged'], { cwd: sb.tree, env });
    expect(again.res.code).toBe(1);
    expect(again.json.jobs.map((j) => j.status)).toEqual(['cached-failure']);
    expect(checked(sb)).toHaveLength(count);
  });

  test('with python deps, the tests that import a staged module run, on its staged content', async () => {
    const sb = useRepo();
    write(sb.tree, 'lib/util.py', 'def double(x):\n    return 3 * x\n');
    gitOk(sb.tree, ['add', 'lib/util.py']);
    write(sb.tree, 'lib/util.py', 'def double(x):\n    return x + x\n'); // fixed, but not staged
    const { res, json } = await runJson(['run', '--staged'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(1);
    expect(jobKeys(json.jobs)).toEqual(['test tests/test_util.py']);
    expect(json.jobs[0]!.status).toBe('failed');
    expect(fs.readFileSync(path.resolve(sb.tree, json.jobs[0]!.log!), 'utf8')).toContain('AssertionError: 63 != 42');

    gitOk(sb.tree, ['add', 'lib/util.py']);
    const fixed = await runJson(['run', '--staged'], { cwd: sb.tree, env });
    expect(fixed.res.code, show(fixed.res)).toBe(0);
    expect(fixed.json.jobs.map((j) => `${j.tool} ${j.file} ${j.status}`)).toEqual(['test tests/test_util.py passed']);
  });

  test("the working tree's python import cache survives a --staged run", async () => {
    const sb = useRepo();
    write(sb.tree, 'lib/util.py', 'def double(x):\n    return x * 2\n');
    gitOk(sb.tree, ['add', 'lib/util.py']);
    expect((await runRunner(['run'], { cwd: sb.tree, env })).code).toBe(0);
    const staged = await runRunner(['run', '--staged'], { cwd: sb.tree, env });
    expect(staged.code, show(staged)).toBe(0);
    const { res, json } = await runJson<{ deps: Record<string, { files: number; scanned: number }> }>(['scan'], {
      cwd: sb.tree,
      env,
    });
    expect(res.code, show(res)).toBe(0);
    expect(json.deps.python).toMatchObject({ files: 3, scanned: 0 });
  });

  test('the staged tree keeps its own python import cache: a second --staged run reads only the changed file', async () => {
    const sb = useRepo();
    type WithDeps = RunJson & { deps: Record<string, { files: number; scanned: number }> };
    write(sb.tree, 'lib/util.py', 'def double(x):\n    return x * 2\n');
    gitOk(sb.tree, ['add', 'lib/util.py']);
    const first = await runJson<WithDeps>(['run', '--staged'], { cwd: sb.tree, env });
    expect(first.res.code, show(first.res)).toBe(0);
    expect(first.json.deps.python).toMatchObject({ files: 3, scanned: 3 });
    write(sb.tree, 'lib/util.py', 'def double(x):\n    return x + x\n');
    gitOk(sb.tree, ['add', 'lib/util.py']);
    const second = await runJson<WithDeps>(['run', '--staged'], { cwd: sb.tree, env });
    expect(second.res.code, show(second.res)).toBe(0);
    expect(second.json.deps.python).toMatchObject({ files: 3, scanned: 1 });
    expect(jobKeys(second.json.jobs)).toContain('test tests/test_util.py');
  });

  test('a staged deletion checks the jobs of the files that imported it; an unrelated deletion checks none', async () => {
    const sb = useRepo();
    expect((await runRunner(['run'], { cwd: sb.tree, env })).code).toBe(0);
    gitOk(sb.tree, ['rm', '-q', 'notes/b.txt']);
    const unrelated = await runJson(['run', '--staged'], { cwd: sb.tree, env });
    expect(unrelated.res.code, show(unrelated.res)).toBe(0);
    expect(jobKeys(unrelated.json.jobs)).toEqual([]);
    expect((unrelated.json as unknown as { staged: string[] }).staged).toEqual(['notes/b.txt']);
    gitOk(sb.tree, ['rm', '-q', 'lib/util.py']);
    const { res, json } = await runJson(['run', '--staged'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(1);
    expect(jobKeys(json.jobs)).toEqual(['test tests/test_util.py']);
    expect(json.jobs[0]!.status).toBe('failed');
  });

  test('a staged deletion checks the depfile jobs whose last run reported the deleted file', async () => {
    const sb = useFixture('deps-dynamic');
    fs.writeFileSync(path.join(sb.tree, '.gitignore'), '.runner/\nbuild/\n');
    initRepo(sb.tree);
    gitOk(sb.tree, ['add', '-A']);
    gitOk(sb.tree, ['commit', '-q', '-m', 'initial']);
    expect((await runRunner(['run'], { cwd: sb.tree, env })).code).toBe(0);
    gitOk(sb.tree, ['rm', '-q', 'include/b.h']); // included by a.h, which main.c includes
    const { res, json } = await runJson(['run', '--staged', '--tool', 'cc'], { cwd: sb.tree, env });
    expect(jobKeys(json.jobs), show(res)).toEqual(['cc src/main.c']);
  });

  test("a staged change to a tool's declared input checks every job of that tool", async () => {
    const sb = useRepo();
    write(sb.tree, 'check.cfg', 'words to check: BAD\n');
    gitOk(sb.tree, ['add', 'check.cfg']);
    const { res, json } = await runJson(['run', '--staged'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(0);
    expect(jobKeys(json.jobs)).toEqual(['check notes/a.txt', 'check notes/b.txt']);
  });

  test('a source tree in a subdirectory of the repository: its staged files only, paths relative to it', async () => {
    const sb = useRepo('pkg/app');
    write(sb.tree, 'notes/a.txt', 'BAD\n');
    fs.writeFileSync(path.join(sb.repo, 'outside.txt'), 'BAD outside the source tree\n');
    gitOk(sb.repo, ['add', '-A']);
    const { res, json } = await runJson(['-C', 'pkg/app', 'run', '--staged'], { cwd: sb.repo, env });
    expect(res.code, show(res)).toBe(1);
    expect(jobKeys(json.jobs)).toEqual(['check notes/a.txt']);
    expect((json as unknown as { staged: string[] }).staged).toEqual(['notes/a.txt']);
  });

  test('Ctrl-C while a job runs: exit 130, and the staged tree is released', async () => {
    const sb = useRepo();
    write(sb.tree, 'notes/a.txt', 'SLOW\n');
    gitOk(sb.tree, ['add', 'notes/a.txt']);
    const running = startRunner(['run', '--staged'], { cwd: sb.tree, env });
    const stateDir = path.join(sb.tree, '.runner');
    await waitFor('the slow job to start', () => checked(sb).includes('notes/a.txt'));
    expect(stagedLockHeld(stateDir)).toBe(true);
    running.child.kill('SIGINT');
    const res = await running.result;
    expect(res.code, show(res)).toBe(130);
    expect(stagedLockHeld(stateDir)).toBe(false);
    expect(stagedTrees(stateDir)).toEqual([]);
  });

  test("a tool's program in the source tree runs from the staged tree, and staging it checks all of its jobs", async () => {
    const sb = useRepo();
    const lint = (word: string): string => `#!/bin/sh\necho "lint ${word} $1" >&2\n[ ${word} = good ]\n`;
    fs.mkdirSync(path.join(sb.tree, 'tools'));
    fs.writeFileSync(path.join(sb.tree, 'tools/lint.sh'), lint('good'), { mode: 0o755 });
    const config = readConfig(sb);
    config.tools.push({ name: 'lint', command: ['./tools/lint.sh', '{file}'], include: ['notes/*.txt'] });
    writeConfig(sb, config);
    gitOk(sb.tree, ['add', '-A']);
    gitOk(sb.tree, ['commit', '-q', '-m', 'lint']);
    fs.writeFileSync(path.join(sb.tree, 'tools/lint.sh'), lint('bad'));
    gitOk(sb.tree, ['add', 'tools/lint.sh']);
    fs.writeFileSync(path.join(sb.tree, 'tools/lint.sh'), lint('good'));
    const res = await runRunner(['run', '--staged'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(1);
    expect(res.stdout).toContain('lint bad notes/a.txt');
    expect(res.stdout).toContain('lint bad notes/b.txt');

    // A shell command naming an in-tree program that is not in the index cannot run in the staged tree.
    fs.writeFileSync(path.join(sb.tree, 'tools/untracked.sh'), lint('good'), { mode: 0o755 });
    config.tools.push({ name: 'untracked', command: './tools/untracked.sh {file}', include: ['notes/*.txt'] });
    writeConfig(sb, config);
    const refused = await runRunner(['run', '--staged'], { cwd: sb.tree, env });
    expect(refused.code, show(refused)).toBe(2);
    expect(refused.stderr).toContain(
      'tool "untracked" runs ./tools/untracked.sh, which is in the source tree but not in the git index',
    );
    // A tool that --tool leaves out is no reason to refuse.
    const onlyCheck = await runRunner(['run', '--staged', '--tool', 'check'], { cwd: sb.tree, env });
    expect(onlyCheck.code, show(onlyCheck)).toBe(0);
    expect(stagedTrees(path.join(sb.tree, '.runner'))).toEqual([]);
  });

  test('a staged tree left by a runner that was killed outright is removed by the next --staged run', async () => {
    const sb = useRepo();
    const stateDir = path.join(sb.tree, '.runner');
    const dead = spawnSync('true').pid!; // a pid that has exited
    const left = path.join(stateDir, `staged-${dead}-abcdef`);
    fs.mkdirSync(path.join(left, 'notes'), { recursive: true });
    fs.writeFileSync(path.join(left, 'notes/a.txt'), 'left behind\n');
    write(sb.tree, 'notes/a.txt', 'edited\n');
    gitOk(sb.tree, ['add', 'notes/a.txt']);
    const res = await runRunner(['run', '--staged'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(0);
    expect(stagedTrees(stateDir)).toEqual([]);
    const clean = await runRunner(['clean'], { cwd: sb.tree, env });
    expect(clean.code, show(clean)).toBe(0);
  });

  test('outside a git repository: exit 2 with a clear message', async () => {
    const sb = useRepo();
    fs.rmSync(path.join(sb.tree, '.git'), { recursive: true });
    const res = await runRunner(['run', '--staged'], {
      cwd: sb.tree,
      env: gitTestEnv({ GIT_CEILING_DIRECTORIES: path.dirname(sb.tree) }),
    });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toMatch(
      /^runner: error: source tree .*: not in a git work tree \(git: fatal: not a git repository/m,
    );
    expect(checked(sb)).toEqual([]);
  });

  test('FILE arguments with --staged: exit 2', async () => {
    const sb = useRepo();
    const res = await runRunner(['run', '--staged', 'notes/a.txt'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toContain('--staged checks what is staged for commit; give no FILE with it');
  });
});

describe('run --staged and declared inputs', () => {
  test('issue 10: a staged file inside a directory input, or matching a glob input, runs every job of the tool', async () => {
    const sb = useRepo();
    const config = readConfig(sb);
    config.tools[0]!.inputs = ['check.cfg', 'rules', '**/*.rule'];
    writeConfig(sb, config);
    fs.mkdirSync(path.join(sb.tree, 'rules/sub'), { recursive: true });
    write(sb.tree, 'rules/sub/r1.cfg', 'r1\n');
    write(sb.tree, 'lib/extra.rule', 'x\n');
    gitOk(sb.tree, ['add', '-A']);
    gitOk(sb.tree, ['commit', '-q', '-m', 'rules']);
    expect((await runRunner(['run'], { cwd: sb.tree, env })).code).toBe(0);
    fs.rmSync(sb.countFile, { force: true });

    write(sb.tree, 'rules/sub/r1.cfg', 'r1 changed\n');
    gitOk(sb.tree, ['add', 'rules/sub/r1.cfg']);
    const dir = await runJson(['run', '--staged'], { cwd: sb.tree, env });
    expect(dir.res.code, show(dir.res)).toBe(0);
    expect(checked(sb).sort()).toEqual(['notes/a.txt', 'notes/b.txt']);
    gitOk(sb.tree, ['commit', '-q', '-m', 'r1']);
    fs.rmSync(sb.countFile, { force: true });

    write(sb.tree, 'lib/extra.rule', 'y\n');
    gitOk(sb.tree, ['add', 'lib/extra.rule']);
    const glob = await runJson(['run', '--staged'], { cwd: sb.tree, env });
    expect(glob.res.code, show(glob.res)).toBe(0);
    expect(checked(sb).sort()).toEqual(['notes/a.txt', 'notes/b.txt']);
  });
});
