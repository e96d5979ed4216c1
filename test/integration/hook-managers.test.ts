// runner hook install|uninstall beside git-hook managers: the real husky 9
// (this project's devDependency, run as `npm install`'s prepare runs it) with
// real `git commit`s, and lefthook's and simple-git-hooks' layouts (their
// config files; their binaries are not needed to see the refusal).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { BIN, runRunner, show } from '../helpers/cli.js';
import { type GitResult, checked, commitCount, git, gitOk, gitTestEnv, useRepo } from '../helpers/git.js';
import { REPO } from '../helpers/sandbox.js';
import { MARKER } from '../../src/hook/index.js';

const env = gitTestEnv();
const HUSKY_BIN = path.join(REPO, 'node_modules', 'husky', 'bin.js');

const showGit = (r: GitResult): string => `exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;

function write(dir: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

const read = (dir: string, rel: string): string => fs.readFileSync(path.join(dir, rel), 'utf8');

/** Runs husky's bin as npm runs it: `husky init` once, then `husky` (the prepare script) at every `npm install`. */
function husky(cwd: string, ...args: string[]): void {
  const r = spawnSync(process.execPath, [HUSKY_BIN, ...args], { cwd, env, encoding: 'utf8' });
  expect(r.status, `husky ${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0);
}

/** A node project with husky and runner as devDependencies: their bins in node_modules/.bin, as npm links them. */
function nodeProject(tree: string): void {
  write(tree, 'package.json', JSON.stringify({ name: 't', private: true, devDependencies: { husky: '^9.1.7' } }));
  fs.appendFileSync(path.join(tree, '.gitignore'), 'node_modules/\n');
  fs.mkdirSync(path.join(tree, 'node_modules', '.bin'), { recursive: true });
  fs.symlinkSync(HUSKY_BIN, path.join(tree, 'node_modules', '.bin', 'husky'));
  fs.symlinkSync(BIN, path.join(tree, 'node_modules', '.bin', 'runner'));
}

async function runnerOk(cwd: string, ...args: string[]): Promise<string> {
  const res = await runRunner(args, { cwd, env });
  expect(res.code, show(res)).toBe(0);
  return res.stdout;
}

function commit(repo: string): GitResult {
  return git(repo, ['commit', '-m', 'a commit']);
}

describe('husky', () => {
  test("issue 15: runner's line goes into .husky/pre-commit and survives husky's next setup: a bad commit is blocked, a good one passes", async () => {
    const sb = useRepo();
    nodeProject(sb.tree);
    husky(sb.tree, 'init');
    expect(gitOk(sb.tree, ['config', 'core.hooksPath']).trim()).toBe('.husky/_');
    const userLine = `echo user hook >> '${sb.scratch}/husky.log'\n`;
    write(sb.tree, '.husky/pre-commit', userLine); // the user's own, in place of init's `npm test`
    gitOk(sb.tree, ['add', '-A']);
    gitOk(sb.tree, ['commit', '-q', '-m', 'husky']);

    const out = await runnerOk(sb.tree, 'hook', 'install');
    expect(out).toContain("added runner's line in husky's .husky/pre-commit");
    const withRunner = read(sb.tree, '.husky/pre-commit');
    expect(withRunner).toBe(`${userLine}runner -q run --staged # added by \`runner hook install\`\n`);
    // Installing again adds nothing.
    expect(await runnerOk(sb.tree, 'hook', 'install')).toContain('already runs runner');
    expect(read(sb.tree, '.husky/pre-commit')).toBe(withRunner);
    expect(read(sb.tree, '.husky/_/pre-commit')).not.toContain('runner');

    husky(sb.tree); // the next `npm install` regenerates .husky/_
    write(sb.tree, 'notes/b.txt', 'a BAD line\n');
    gitOk(sb.tree, ['add', 'notes/b.txt']);
    const blocked = commit(sb.tree);
    expect(blocked.code, showGit(blocked)).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toContain('check: BAD in notes/b.txt');
    expect(commitCount(sb.tree)).toBe(2);

    write(sb.tree, 'notes/b.txt', 'a good line\n');
    gitOk(sb.tree, ['add', 'notes/b.txt']);
    const ok = commit(sb.tree);
    expect(ok.code, showGit(ok)).toBe(0);
    expect(commitCount(sb.tree)).toBe(3);
    expect(checked(sb)).toContain('notes/b.txt');
    expect(read(sb.scratch, 'husky.log')).toBe('user hook\n'.repeat(3));

    // Uninstall takes out runner's line only.
    expect(await runnerOk(sb.tree, 'hook', 'uninstall')).toContain("removed runner's line");
    expect(read(sb.tree, '.husky/pre-commit')).toBe(userLine);
    expect(await runnerOk(sb.tree, 'hook', 'uninstall')).toContain('nothing to remove');
  });

  test('issue 15: a .husky folder without its pre-commit file, before husky ran in this clone: the file is made, git is left alone', async () => {
    const sb = useRepo();
    nodeProject(sb.tree);
    fs.mkdirSync(path.join(sb.tree, '.husky'));
    const out = await runnerOk(sb.tree, 'hook', 'install');
    expect(out).toContain('husky is not set up in this clone yet');
    expect(read(sb.tree, '.husky/pre-commit')).toBe(
      '#!/usr/bin/env sh\nrunner -q run --staged # added by `runner hook install`\n',
    );
    expect(fs.existsSync(path.join(sb.tree, '.git/hooks/pre-commit'))).toBe(false);

    husky(sb.tree);
    write(sb.tree, 'notes/b.txt', 'a BAD line\n');
    gitOk(sb.tree, ['add', 'notes/b.txt']);
    const blocked = commit(sb.tree);
    expect(blocked.code, showGit(blocked)).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toContain('check: BAD in notes/b.txt');

    await runnerOk(sb.tree, 'hook', 'uninstall');
    expect(fs.existsSync(path.join(sb.tree, '.husky/pre-commit'))).toBe(false);
  });

  test("issue 15: runner's hook from an install made before (in husky's generated folder) is taken out, husky's put back", async () => {
    const sb = useRepo();
    nodeProject(sb.tree);
    husky(sb.tree, 'init');
    const stub = read(sb.tree, '.husky/_/pre-commit');
    // What `runner hook install` wrote there before it knew husky: its hook, husky's stub kept beside it.
    fs.renameSync(path.join(sb.tree, '.husky/_/pre-commit'), path.join(sb.tree, '.husky/_/pre-commit.runner-previous'));
    fs.writeFileSync(path.join(sb.tree, '.husky/_/pre-commit'), `#!/bin/sh\n${MARKER}\nexit 1\n`, { mode: 0o755 });
    const out = await runnerOk(sb.tree, 'hook', 'install');
    expect(out).toContain("removed runner's earlier hook from husky's generated .husky/_/pre-commit");
    expect(read(sb.tree, '.husky/_/pre-commit')).toBe(stub);
    expect(fs.existsSync(path.join(sb.tree, '.husky/_/pre-commit.runner-previous'))).toBe(false);
    expect(read(sb.tree, '.husky/pre-commit')).toBe(
      'npm test\nrunner -q run --staged # added by `runner hook install`\n',
    );
  });

  test('issue 15: a source tree in a subdirectory: the line runs runner on it with -C', async () => {
    const sb = useRepo('app');
    nodeProject(sb.repo);
    husky(sb.repo, 'init');
    fs.rmSync(path.join(sb.repo, '.husky/pre-commit'));
    await runnerOk(sb.repo, '-C', 'app', 'hook', 'install');
    expect(read(sb.repo, '.husky/pre-commit')).toContain('\nrunner -C app -q run --staged # added by');
  });
});

describe('lefthook and simple-git-hooks', () => {
  test('issue 15: a lefthook config is refused with exit 2 and the exact lines to add; nothing is written; --force writes git hook', async () => {
    const sb = useRepo();
    const config = 'pre-push:\n  commands:\n    lint:\n      run: make lint\n';
    write(sb.tree, 'lefthook.yml', config);
    const res = await runRunner(['hook', 'install'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toBe(
      'runner: error: lefthook.yml: git hooks here are managed by lefthook (`lefthook install` rewrites the pre-commit hook); ' +
        "runner does not edit its config. Add this to it, then run `lefthook install` if pre-commit is new to it (or pass --force to write git's pre-commit hook anyway):\n\n" +
        'pre-commit:\n  commands:\n    runner:\n      run: "runner -q run --staged"\n\n',
    );
    expect(read(sb.tree, 'lefthook.yml')).toBe(config);
    expect(fs.existsSync(path.join(sb.tree, '.git/hooks/pre-commit'))).toBe(false);

    await runnerOk(sb.tree, 'hook', 'install', '--force');
    expect(read(sb.tree, '.git/hooks/pre-commit')).toContain('runner pre-commit hook');
  });

  test.each([
    ['.lefthook.toml', '[pre-commit.commands.runner]\nrun = "runner -q run --staged"\n'],
    ['.config/lefthook.yaml', 'pre-commit:\n  commands:\n    runner:\n      run: "runner -q run --staged"\n'],
  ])('issue 15: lefthook config %s: the snippet is in its format', async (name, snippet) => {
    const sb = useRepo();
    write(sb.tree, name, '');
    const res = await runRunner(['hook', 'install'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toMatch(
      new RegExp(`^runner: error: ${name.replaceAll('.', '\\.')}: git hooks here are managed by lefthook`),
    );
    expect(res.stderr.endsWith(`\n\n${snippet}\n`)).toBe(true);
  });

  test("issue 15: lefthook's installed hook alone (its config elsewhere) is refused too", async () => {
    const sb = useRepo();
    const hook = '#!/bin/sh\n\nif [ "$LEFTHOOK" = "0" ]; then\n  exit 0\nfi\nlefthook run "pre-commit" "$@"\n';
    fs.writeFileSync(path.join(sb.tree, '.git/hooks/pre-commit'), hook, { mode: 0o755 });
    const res = await runRunner(['hook', 'install'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toContain("runner: error: lefthook's config: git hooks here are managed by lefthook");
    expect(read(sb.tree, '.git/hooks/pre-commit')).toBe(hook);
  });

  test('issue 15: simple-git-hooks in package.json: refused with its pre-commit command and runner after it', async () => {
    const sb = useRepo();
    const pkg = JSON.stringify({ name: 't', 'simple-git-hooks': { 'pre-commit': 'npx lint-staged' } }, null, 2) + '\n';
    write(sb.tree, 'package.json', pkg);
    const res = await runRunner(['hook', 'install'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toContain('runner: error: package.json: git hooks here are managed by simple-git-hooks (');
    expect(res.stderr).toContain('then run `npx simple-git-hooks`');
    expect(
      res.stderr.endsWith(
        '\n\n"simple-git-hooks": {\n  "pre-commit": "npx lint-staged && runner -q run --staged"\n}\n\n',
      ),
    ).toBe(true);
    expect(read(sb.tree, 'package.json')).toBe(pkg);
    expect(fs.existsSync(path.join(sb.tree, '.git/hooks/pre-commit'))).toBe(false);
  });

  test('issue 15: a .simple-git-hooks.json config: refused with the line for it', async () => {
    const sb = useRepo();
    write(sb.tree, '.simple-git-hooks.json', '{ "pre-push": "make test" }\n');
    const res = await runRunner(['hook', 'install'], { cwd: sb.tree, env });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toMatch(
      /^runner: error: \.simple-git-hooks\.json: git hooks here are managed by simple-git-hooks/,
    );
    expect(res.stderr.endsWith('\n\n"pre-commit": "runner -q run --staged"\n\n')).toBe(true);
  });

  test('without any hook manager, install writes git hook as before', async () => {
    const sb = useRepo();
    write(sb.tree, 'package.json', JSON.stringify({ name: 't', devDependencies: { husky: '^9' } })); // no .husky folder
    await runnerOk(sb.tree, 'hook', 'install');
    expect(read(sb.tree, '.git/hooks/pre-commit')).toContain('runner pre-commit hook');
  });
});
