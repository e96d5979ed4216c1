// What the install tests share: a command run to its end (npm, git, the
// installed runner) with its exit code and output, and npm without the
// registry (.ci/run fills the cache first).
import { spawnSync } from 'node:child_process';
import { gitTestEnv } from '../helpers/git.js';

export const MINUTES = 60_000;

export interface Done {
  code: number | null;
  out: string;
}

/** Runs `cmd args` to its end (at most 20 minutes: npm compiles native addons); stdout then stderr. */
export function exec(cmd: string, args: string[], cwd: string, env: Record<string, string>): Done {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 20 * MINUTES });
  if (r.error !== undefined) throw r.error;
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** No registry: npm must find every package in its cache. */
export function offlineEnv(extra: Record<string, string> = {}): Record<string, string> {
  return gitTestEnv({ npm_config_offline: 'true', npm_config_fund: 'false', npm_config_audit: 'false', ...extra });
}
