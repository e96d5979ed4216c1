// Writes and removes runner's pre-commit hook in a hooks directory, keeping
// the hook that was there (renamed to BACKUP_NAME and chained) and putting it
// back on uninstall. Refuses what it cannot do without losing a hook.
import fs from 'node:fs';
import path from 'node:path';
import { HookError } from '../errors.js';
import { BACKUP_NAME, HOOK_NAME, isRunnerHook } from './script.js';

export interface HookInstall {
  hook: string;
  /** 'updated': runner's own hook (or line) was there and is rewritten; 'unchanged': husky's file already runs runner. */
  action: 'installed' | 'updated' | 'unchanged';
  /** The earlier hook, now run first by runner's; null when there is none. */
  chained: string | null;
  /** With --force: what was overwritten or moved that a plain install refuses to touch. */
  forced: string | null;
  /** With husky: `hook` is husky's own file (.husky/pre-commit), and runner's line in it. */
  husky?: HuskyLine;
}

export interface HuskyLine {
  /** The command that runs runner: runner's line (without its marker comment), or one the user wrote. */
  line: string;
  /** Whether git runs husky's hooks yet (core.hooksPath names its folder); false before husky's first run in this clone. */
  active: boolean;
  /** runner's hook from an install before husky, removed from husky's generated folder (it would run runner twice). */
  replaced: string | null;
}

export interface HookUninstall {
  hook: string;
  action: 'removed' | 'restored' | 'none';
  /** With husky: runner's line was taken out of husky's file; `hook` is gone when nothing else was in it. */
  husky?: { fileRemoved: boolean };
}

const lstat = (p: string): fs.Stats | undefined => fs.lstatSync(p, { throwIfNoEntry: false });

function readIfRegular(p: string, st: fs.Stats): string | null {
  return st.isFile() ? fs.readFileSync(p, 'utf8') : null;
}

function writeHook(dir: string, hook: string, script: string): void {
  const tmp = path.join(dir, `.${HOOK_NAME}.runner-${process.pid}`);
  fs.writeFileSync(tmp, script, { mode: 0o755 });
  fs.chmodSync(tmp, 0o755); // whatever the umask
  fs.renameSync(tmp, hook);
}

export function installHook(dir: string, script: string, force: boolean): HookInstall {
  fs.mkdirSync(dir, { recursive: true }); // a core.hooksPath directory may not exist yet
  const hook = path.join(dir, HOOK_NAME);
  const backup = path.join(dir, BACKUP_NAME);
  const hookSt = lstat(hook);
  const backupSt = lstat(backup);
  if (hookSt === undefined) {
    if (backupSt !== undefined && !force) {
      throw new HookError({
        hook,
        problem: `there is no hook, but ${BACKUP_NAME} is (left by an earlier install?)`,
        hint: `move it away, or pass --force to keep it and run it before runner's`,
      });
    }
    writeHook(dir, hook, script);
    return {
      hook,
      action: 'installed',
      chained: backupSt === undefined ? null : backup,
      forced: backupSt === undefined ? null : backup,
    };
  }
  if (hookSt.isDirectory() || (!hookSt.isFile() && !hookSt.isSymbolicLink())) {
    throw new HookError({ hook, problem: 'is not a regular file', hint: 'move it away first' });
  }
  const text = readIfRegular(hook, hookSt);
  if (text !== null && isRunnerHook(text)) {
    writeHook(dir, hook, script);
    return { hook, action: 'updated', chained: backupSt === undefined ? null : backup, forced: null };
  }
  if (hookSt.isSymbolicLink() && !force) {
    throw new HookError({
      hook,
      problem: `is a symbolic link (to ${fs.readlinkSync(hook)}), probably managed by another tool`,
      hint: `pass --force to move the link to ${BACKUP_NAME} and run it before runner's, or leave git hooks to that tool`,
    });
  }
  if (backupSt !== undefined && !force) {
    throw new HookError({
      hook,
      problem: `is not runner's, and ${BACKUP_NAME}, where runner would keep it, is taken`,
      hint: `move one of them away, or pass --force to replace ${BACKUP_NAME} with the current hook`,
    });
  }
  fs.renameSync(hook, backup);
  writeHook(dir, hook, script);
  const forced = hookSt.isSymbolicLink() ? hook : backupSt !== undefined ? backup : null;
  return { hook, action: 'installed', chained: backup, forced };
}

export function uninstallHook(dir: string): HookUninstall {
  const hook = path.join(dir, HOOK_NAME);
  const backup = path.join(dir, BACKUP_NAME);
  const hookSt = lstat(hook);
  if (hookSt === undefined) return { hook, action: 'none' };
  const text = readIfRegular(hook, hookSt);
  if (text === null || !isRunnerHook(text)) {
    throw new HookError({
      hook,
      problem: "is not runner's hook",
      hint: 'not removing it; remove it yourself if you mean to',
    });
  }
  if (lstat(backup) !== undefined) {
    fs.renameSync(backup, hook); // the original, byte for byte, with its mode
    return { hook, action: 'restored' };
  }
  fs.rmSync(hook);
  return { hook, action: 'removed' };
}
