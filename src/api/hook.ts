// runner hook install|uninstall: runner's git pre-commit hook in the hooks
// directory git uses for the source tree's work tree (core.hooksPath honoured).
import path from 'node:path';
import { resolveSourceTree } from '../config/index.js';
import { type WorkTree, findWorkTree, hooksDir } from '../git/index.js';
import { type HookInstall, type HookUninstall, hookScript, installHook, uninstallHook } from '../hook/index.js';
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
  const script = hookScript({ node: opts.node, runner: opts.runner, globals });
  return installHook(hooksDir(w), script, opts.force === true);
}

export function hookUninstall(opts: SessionOptions): HookUninstall {
  const sourceTree = resolveSourceTree(opts.cwd, opts.sourceTree);
  return uninstallHook(hooksDir(findWorkTree(sourceTree, opts.env, opts.cwd)));
}
