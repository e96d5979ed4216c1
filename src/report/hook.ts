// What `runner hook install|uninstall` did, as text or JSON, and the line a
// `run --staged` with nothing staged ends with.
import path from 'node:path';
import type { HookInstall, HookUninstall } from '../hook/index.js';
import { assertNever } from '../types.js';
import { type Style, shown } from './style.js';

export function renderHookInstall(style: Style, r: HookInstall): string {
  const lines = [`runner: ${r.action} ${shown(style, r.hook)}: \`git commit\` now runs \`runner run --staged\` first`];
  if (r.forced !== null)
    lines.push(
      `runner: --force: ${r.forced === r.hook ? 'moved the symbolic link' : `replaced ${path.basename(r.forced)}`}`,
    );
  if (r.chained !== null)
    lines.push(
      `runner: the earlier hook, kept as ${shown(style, r.chained)}, runs before it; its failure blocks the commit too`,
    );
  return lines.join('\n') + '\n';
}

export function renderHookUninstall(style: Style, r: HookUninstall): string {
  switch (r.action) {
    case 'none':
      return `runner: no pre-commit hook at ${shown(style, r.hook)}; nothing to remove\n`;
    case 'removed':
      return `runner: removed ${shown(style, r.hook)}\n`;
    case 'restored':
      return `runner: removed runner's hook and put back the earlier one at ${shown(style, r.hook)}\n`;
    default:
      return assertNever(r.action);
  }
}

export function hookJson(style: Style, command: 'install' | 'uninstall', r: HookInstall | HookUninstall): string {
  const paths = Object.fromEntries(
    Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && path.isAbsolute(v) ? shown(style, v) : v]),
  );
  return JSON.stringify({ command: `hook ${command}`, exitCode: 0, ...paths }) + '\n';
}

export function renderNothingStaged(): string {
  return 'runner: nothing staged for commit in the source tree; nothing to check\n';
}
