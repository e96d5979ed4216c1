// Real git repositories for the --staged and hook tests: the staged-demo
// fixture made a repository with one commit, and git run with an environment
// that ignores the machine's global and system config.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { baseEnv } from './cli.js';
import { type Sandbox, readConfig, useFixture, writeConfig } from './sandbox.js';

export interface GitResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** baseEnv() plus what keeps git away from the user's config. */
export function gitTestEnv(extra: Record<string, string> = {}): Record<string, string> {
  return baseEnv({ GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', ...extra });
}

export function git(cwd: string, args: string[], env = gitTestEnv()): GitResult {
  const r = spawnSync('git', args, { cwd, env, encoding: 'utf8', timeout: 55_000 });
  if (r.error !== undefined) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** git, which must succeed. */
export function gitOk(cwd: string, args: string[]): string {
  const r = git(cwd, args);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed (${r.code}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

export function initRepo(dir: string): void {
  gitOk(dir, ['init', '-q', '-b', 'main', '.']);
  gitOk(dir, ['config', 'user.name', 'Runner Test']);
  gitOk(dir, ['config', 'user.email', 'runner-test@example.com']);
  gitOk(dir, ['config', 'commit.gpgsign', 'false']);
}

export interface RepoSandbox extends Sandbox {
  /** The repository's root: the source tree (tree), or its parent directories with `sub`. */
  repo: string;
  /** Where the check tool appends each file it checks. */
  countFile: string;
}

/**
 * The staged-demo fixture as a git repository with one commit (made before
 * any hook). `sub`: the fixture sits in that subdirectory of the repository.
 */
export function useRepo(sub = ''): RepoSandbox {
  const sb = useFixture('staged-demo');
  const countFile = path.join(sb.scratch, 'count.log');
  const config = readConfig(sb);
  config.env = { ...(config.env ?? {}), COUNT_FILE: countFile };
  writeConfig(sb, config);
  let tree = sb.tree;
  if (sub !== '') {
    const inner = path.join(sb.root, 'inner');
    fs.renameSync(sb.tree, inner);
    tree = path.join(sb.tree, sub);
    fs.mkdirSync(path.dirname(tree), { recursive: true });
    fs.renameSync(inner, tree);
  }
  fs.writeFileSync(path.join(tree, '.gitignore'), '.runner/\n__pycache__/\n');
  initRepo(sb.tree);
  gitOk(sb.tree, ['add', '-A']);
  gitOk(sb.tree, ['commit', '-q', '-m', 'initial']);
  return { ...sb, tree, repo: sb.tree, countFile };
}

/** The files the check tool checked, in order. */
export function checked(sb: RepoSandbox): string[] {
  try {
    return fs
      .readFileSync(sb.countFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
  } catch {
    return [];
  }
}

export function commitCount(repo: string): number {
  return Number(gitOk(repo, ['rev-list', '--count', 'HEAD']).trim());
}

/** Temporary staged trees in a state directory (the kept one, `staged`, is not counted). */
export function stagedTrees(stateDir: string): string[] {
  try {
    return fs.readdirSync(stateDir).filter((n) => n.startsWith('staged-'));
  } catch {
    return [];
  }
}

/** Whether a runner holds the kept staged tree. */
export function stagedLockHeld(stateDir: string): boolean {
  return fs.existsSync(path.join(stateDir, 'staged.lock'));
}
