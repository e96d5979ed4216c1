// What `runner hook install|uninstall` did, as text or JSON, and the line a
// `run --staged` with nothing staged ends with.
import path from 'node:path';
import type { HookInstall, HookUninstall, HuskyLine } from '../hook/index.js';
import { assertNever } from '../types.js';
import { type Style, shown } from './style.js';
import { JSON_FORMAT_VERSION } from './json.js';

function renderHuskyInstall(style: Style, r: HookInstall & { husky: HuskyLine }): string {
  const file = shown(style, r.hook);
  const lines = [
    r.action === 'unchanged'
      ? `runner: ${file} already runs runner (\`${r.husky.line}\`); nothing to add`
      : `runner: ${r.action === 'installed' ? 'added' : 'updated'} runner's line in husky's ${file}: \`git commit\` now runs \`runner run --staged\` too`,
  ];
  if (r.husky.replaced !== null)
    lines.push(`runner: removed runner's earlier hook from husky's generated ${shown(style, r.husky.replaced)}`);
  if (!r.husky.active)
    lines.push(
      "runner: husky is not set up in this clone yet (core.hooksPath): `npm install` (or `npx husky`) does it; until then git runs no hook of husky's",
    );
  return lines.join('\n') + '\n';
}

export function renderHookInstall(style: Style, r: HookInstall): string {
  if (r.husky !== undefined) return renderHuskyInstall(style, { ...r, husky: r.husky });
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
      if (r.husky !== undefined)
        return `runner: no line of runner's in husky's ${shown(style, r.hook)}; nothing to remove\n`;
      return `runner: no pre-commit hook at ${shown(style, r.hook)}; nothing to remove\n`;
    case 'removed':
      if (r.husky !== undefined && !r.husky.fileRemoved)
        return `runner: removed runner's line from husky's ${shown(style, r.hook)}\n`;
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
  return JSON.stringify({ command: `hook ${command}`, version: JSON_FORMAT_VERSION, exitCode: 0, ...paths }) + '\n';
}

export function renderNothingStaged(): string {
  return 'runner: nothing staged for commit in the source tree; nothing to check\n';
}
