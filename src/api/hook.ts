// runner hook install|uninstall: runner's git pre-commit hook in the hooks
// directory git uses for the source tree's work tree (core.hooksPath honoured),
// or, where a hook manager owns that directory, its line in husky's file or a
// refusal that says what to add to lefthook's or simple-git-hooks' config.
import fs from 'node:fs';
import path from 'node:path';
import { resolveSourceTree } from '../config/index.js';
import { type WorkTree, findWorkTree, hooksDir } from '../git/index.js';
import {
  type HookInstall,
  type HookUninstall,
  HOOK_NAME,
  detectHookManager,
  hookCommandLine,
  hookScript,
  installHook,
  installHuskyLine,
  isRunnerHook,
  refusalFor,
  uninstallHook,
  uninstallHuskyLine,
} from '../hook/index.js';
import { type SessionOptions, loadSessionConfig } from '../session.js';
import { treePath } from '../tree-path.js';

export interface HookOptions extends SessionOptions {
  force?: boolean;
  /** How the hook starts runner: absolute paths of node and of bin/runner. */
  node: string;
  runner: string;
}

/** A path for the hook's command line: relative to the work tree's root (where git runs hooks) when inside it. */
function fromTop(w: WorkTree, abs: string): string {
  const rel = treePath(w.top, abs);
  return rel === null ? abs : rel === '' ? '.' : rel;
}

export async function hookInstall(opts: HookOptions): Promise<HookInstall> {
  // A hook whose runner cannot load the config would block every commit: refuse now, with the reason.
  const { sourceTree } = await loadSessionConfig(opts);
  const w = findWorkTree(sourceTree, opts.env, opts.cwd);
  const globals: string[] = [];
  if (w.prefix !== '') globals.push('-C', w.prefix);
  if (opts.configFile !== undefined) globals.push('-c', fromTop(w, path.resolve(opts.cwd, opts.configFile)));
  if (opts.stateDir !== undefined) globals.push('--state-dir', fromTop(w, path.resolve(opts.cwd, opts.stateDir)));
  const hooks = hooksDir(w);
  const manager = detectHookManager(w.top, sourceTree, hooks);
  if (manager?.kind === 'husky') {
    // runner's hook from an install made before husky, in husky's generated folder: it would run runner twice.
    const replaced = isRunnersHook(hooks) ? uninstallHook(hooks).hook : null;
    return installHuskyLine(manager.dir, hookCommandLine(globals), manager.active, replaced);
  }
  // Their install rewrites git's pre-commit hook: a hook written there would be gone at their next install.
  if (manager !== null && opts.force !== true) throw refusalFor(manager, hookCommandLine(globals), w.top);
  const script = hookScript({ node: opts.node, runner: opts.runner, globals });
  return installHook(hooks, script, opts.force === true);
}

function isRunnersHook(hooks: string): boolean {
  try {
    return isRunnerHook(fs.readFileSync(path.join(hooks, HOOK_NAME), 'utf8'));
  } catch {
    return false;
  }
}

export function hookUninstall(opts: SessionOptions): HookUninstall {
  const sourceTree = resolveSourceTree(opts.cwd, opts.sourceTree);
  const w = findWorkTree(sourceTree, opts.env, opts.cwd);
  const hooks = hooksDir(w);
  const manager = detectHookManager(w.top, sourceTree, hooks);
  if (manager?.kind !== 'husky') return uninstallHook(hooks);
  const removed = uninstallHuskyLine(manager.dir);
  // An older install's hook in husky's generated folder goes too, putting husky's stub back.
  if (removed.action === 'none' && isRunnersHook(hooks)) return uninstallHook(hooks);
  if (isRunnersHook(hooks)) uninstallHook(hooks);
  return removed;
}
