// Runs one git command and returns its stdout; every failure becomes a
// GitError that names the command and says what git said.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { GitError } from '../errors.js';

export interface GitContext {
  /** Where git runs (it finds the repository from here). */
  cwd: string;
  /** The caller's environment, with its relative GIT_* paths made absolute (see gitEnv). */
  env: NodeJS.ProcessEnv;
}

/** Variables git may set for a hook as paths relative to where the hook started. */
const PATH_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY'];

/**
 * The caller's environment for git commands run from another directory: a
 * hook inherits GIT_INDEX_FILE (a temporary index under `git commit -a` or
 * `git commit FILE`), possibly relative to the repository root.
 */
export function gitEnv(env: NodeJS.ProcessEnv, cwd: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of PATH_VARIABLES) {
    const v = env[name];
    if (v !== undefined && v !== '' && !path.isAbsolute(v)) out[name] = path.resolve(cwd, v);
  }
  return out;
}

export function runGit(ctx: GitContext, args: readonly string[], input?: Buffer): Buffer {
  const shown = `git ${args.join(' ')}`;
  const r = spawnSync('git', args, {
    cwd: ctx.cwd,
    env: ctx.env,
    input,
    maxBuffer: 1 << 30,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (r.error !== undefined) {
    const code = (r.error as NodeJS.ErrnoException).code;
    const detail =
      code === 'ENOENT'
        ? 'git is not installed (or not on PATH); runner needs it for the git index and hooks'
        : `cannot run git (${code})`;
    throw new GitError({ what: shown, detail }, { cause: r.error });
  }
  if (r.status !== 0) {
    // git's verdict is its `fatal:`/`error:` line; advice follows it (a stale lock's is six lines), so the last lines alone cut it off.
    const lines = r.stderr.toString('utf8').trim().split('\n');
    const verdict = lines.filter((l) => l.startsWith('fatal: ') || l.startsWith('error: '));
    const said = (verdict.length > 0 ? verdict : lines.slice(-3)).join(' ');
    const how = r.status === null ? `signal ${r.signal}` : `exit ${r.status}`;
    throw new GitError({ what: shown, detail: `failed (${how}): ${said || '(no message)'}`, said });
  }
  return r.stdout;
}

/** NUL-separated git output (-z) as strings. */
export function splitZ(out: Buffer): string[] {
  return out
    .toString('utf8')
    .split('\0')
    .filter((s) => s !== '');
}
