// What to add to lefthook's or simple-git-hooks' config for runner's hook to
// run, in that file's own format: install refuses with it (their configs are
// the user's YAML, TOML or JS, and their install rewrites git's hook). Pure
// but for reading simple-git-hooks' JSON, to keep the command already there.
import fs from 'node:fs';
import path from 'node:path';
import { HookManagerError } from '../errors.js';
import type { HookManager } from './managers.js';

function lefthookSnippet(config: string | null, command: string): string {
  const run = JSON.stringify(command); // a JSON string is a YAML and a TOML string too
  const ext = config === null ? 'yml' : path.extname(config).slice(1);
  if (ext === 'toml') return `[pre-commit.commands.runner]\nrun = ${run}\n`;
  if (ext === 'json' || ext === 'jsonc')
    return `"pre-commit": {\n  "commands": {\n    "runner": { "run": ${run} }\n  }\n}\n`;
  return `pre-commit:\n  commands:\n    runner:\n      run: ${run}\n`;
}

/** The pre-commit command simple-git-hooks' JSON config holds now, or null. */
function simpleGitHooksCommand(config: string): string | null {
  if (!config.endsWith('.json')) return null;
  try {
    const json = JSON.parse(fs.readFileSync(config, 'utf8')) as Record<string, unknown>;
    const hooks = path.basename(config) === 'package.json' ? json['simple-git-hooks'] : json;
    const current =
      typeof hooks === 'object' && hooks !== null ? (hooks as Record<string, unknown>)['pre-commit'] : null;
    return typeof current === 'string' && current.trim() !== '' ? current : null;
  } catch {
    return null;
  }
}

/** The refusal, with the snippet to add; `top`: where hooks run, for the config's name. */
export function refusalFor(
  manager: Exclude<HookManager, { kind: 'husky' }>,
  command: string,
  top: string,
): HookManagerError {
  const shown = (p: string | null, fallback: string): string => (p === null ? fallback : path.relative(top, p) || p);
  if (manager.kind === 'lefthook') {
    return new HookManagerError({
      manager: 'lefthook',
      config: shown(manager.config, "lefthook's config"),
      rewrites: '`lefthook install` rewrites the pre-commit hook',
      snippet: lefthookSnippet(manager.config, command),
      then: 'run `lefthook install` if pre-commit is new to it',
    });
  }
  const current = manager.config === null ? null : simpleGitHooksCommand(manager.config);
  const value = JSON.stringify(current === null ? command : `${current} && ${command}`);
  const inPackage = manager.config !== null && path.basename(manager.config) === 'package.json';
  return new HookManagerError({
    manager: 'simple-git-hooks',
    config: shown(manager.config, "simple-git-hooks' config"),
    rewrites: '`npx simple-git-hooks` rewrites the pre-commit hook from its config',
    snippet: inPackage ? `"simple-git-hooks": {\n  "pre-commit": ${value}\n}\n` : `"pre-commit": ${value}\n`,
    then: 'run `npx simple-git-hooks`',
  });
}
