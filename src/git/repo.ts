// Where the source tree sits in git: the work tree's root, the source tree's
// path inside it, and the hooks directory.
import fs from 'node:fs';
import path from 'node:path';
import { GitError } from '../errors.js';
import { treePath } from '../tree-path.js';
import { type GitContext, gitEnv, runGit } from './command.js';

export interface WorkTree {
  /** The work tree's root (absolute, symlinks resolved). */
  top: string;
  /** The source tree relative to the root, '/'-separated; '' when it is the root. */
  prefix: string;
  /** How to run git in the source tree. */
  git: GitContext;
}

/**
 * The git work tree holding the source tree. `cwd` is where runner started:
 * relative GIT_* paths a hook inherits are relative to it.
 */
export function findWorkTree(sourceTree: string, env: NodeJS.ProcessEnv, cwd: string): WorkTree {
  const git: GitContext = { cwd: sourceTree, env: gitEnv(env, cwd) };
  let out: string;
  try {
    out = runGit(git, ['rev-parse', '--show-toplevel']).toString('utf8').trim();
  } catch (err) {
    if (!(err instanceof GitError) || err.fields.said === undefined) throw err;
    throw new GitError(
      {
        what: `source tree ${sourceTree}`,
        detail: `not in a git work tree (git: ${err.fields.said}); run runner inside a git repository, or name one with -C DIR`,
      },
      { cause: err },
    );
  }
  if (out === '')
    throw new GitError({
      what: `source tree ${sourceTree}`,
      detail: 'not in a git work tree (a bare repository has none); name a work tree with -C DIR',
    });
  const top = fs.realpathSync(out);
  const prefix = treePath(top, fs.realpathSync(sourceTree));
  if (prefix === null) {
    throw new GitError({
      what: `source tree ${sourceTree}`,
      detail: `not inside the git work tree ${top} that git reports for it`,
    });
  }
  return { top, prefix, git };
}

/** The hooks directory git uses for this work tree (core.hooksPath honoured), absolute. */
export function hooksDir(w: WorkTree): string {
  const out = runGit(w.git, ['rev-parse', '--git-path', 'hooks']).toString('utf8').trim();
  return path.resolve(w.git.cwd, out);
}
