// The state directory's own .gitignore: it keeps the manifest, logs and
// staged tree out of `git status`, `git add -A` and `run --since`'s untracked
// files, as pytest's and mypy's caches do (issue 16). Writes only that one file,
// and only when it is missing; it never fails a run.
import fs from 'node:fs';
import path from 'node:path';

export const STATE_GITIGNORE_FILE = '.gitignore';
/** What runner writes; a .gitignore holding anything else is the user's, never removed by `runner clean`. */
export const STATE_GITIGNORE_TEXT = '# Written by runner: its state directory stays out of git.\n*\n';

/** Writes `<stateDir>/.gitignore` when missing. Call with the lock held, so the directory already holds an entry of runner's. */
export function writeStateGitignore(stateDir: string): void {
  try {
    fs.writeFileSync(path.join(stateDir, STATE_GITIGNORE_FILE), STATE_GITIGNORE_TEXT, { flag: 'wx' });
  } catch {
    // there already (ours or the user's), or not writable: a courtesy to git, never a reason to stop
  }
}

/** Whether the entry `name` of `stateDir` is the .gitignore runner wrote there, byte for byte. */
export function isStateGitignore(stateDir: string, name: string): boolean {
  if (name !== STATE_GITIGNORE_FILE) return false;
  try {
    return fs.readFileSync(path.join(stateDir, name), 'utf8') === STATE_GITIGNORE_TEXT;
  } catch {
    return false;
  }
}
