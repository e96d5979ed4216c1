// Where the remote cache is and how to use it, from the config's
// `remoteCache` and the RUNNER_REMOTE_CACHE_* variables, which win. The token
// and the signature key come only from the environment or a file the config
// names: read here, held as Secret, never stored, latched or printed.
import fs from 'node:fs';
import path from 'node:path';
import { type RemoteCacheConfig, checkUrl } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { Secret } from './secret.js';

export const REMOTE_ENV = {
  url: 'RUNNER_REMOTE_CACHE_URL',
  team: 'RUNNER_REMOTE_CACHE_TEAM',
  token: 'RUNNER_REMOTE_CACHE_TOKEN',
  signatureKey: 'RUNNER_REMOTE_CACHE_SIGNATURE_KEY',
  readOnly: 'RUNNER_REMOTE_CACHE_READ_ONLY',
} as const;

export interface RemoteSettings {
  /** Base URL, no trailing slash. */
  url: string;
  team: string;
  readOnly: boolean;
  token: Secret | null;
  /** Set: every upload is signed, and an artifact whose tag does not verify is a miss. */
  signatureKey: Secret | null;
}

/**
 * The remote cache this run uses; null when neither the config nor the
 * environment names a URL. `configFile`: the config's absolute path (files
 * it names are relative to its directory), `displayFile` for messages.
 */
export function remoteSettingsOf(
  config: RemoteCacheConfig | undefined,
  env: NodeJS.ProcessEnv,
  configFile: string,
  displayFile: string,
): RemoteSettings | null {
  const fromEnv = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const envUrl = fromEnv(REMOTE_ENV.url);
  const rawUrl = envUrl ?? config?.url ?? null;
  if (rawUrl === null) return null;
  // A bad URL in the environment is named as the variable it came from.
  const url =
    envUrl !== undefined
      ? checkUrl({ file: '(environment)' }, envUrl, REMOTE_ENV.url)
      : checkUrl({ file: displayFile }, rawUrl);
  const team = fromEnv(REMOTE_ENV.team) ?? config?.team ?? null;
  if (team === null)
    throw new ConfigError({
      file: displayFile,
      key: 'remoteCache.team',
      problem: 'missing',
      expected: `the team the server keeps the artifacts under, in the config or ${REMOTE_ENV.team}`,
    });
  const readOnlyEnv = fromEnv(REMOTE_ENV.readOnly);
  const readOnly = readOnlyEnv !== undefined ? readOnlyEnv !== '0' : (config?.readOnly ?? false);
  const dir = path.dirname(configFile);
  const secret = (name: string, file: string | null, key: string): Secret | null => {
    const v = fromEnv(name);
    if (v !== undefined) return new Secret(v);
    if (file === null) return null;
    try {
      // A file's final newline is an editor's, not the secret's.
      return new Secret(fs.readFileSync(path.resolve(dir, file), 'utf8').replace(/\r?\n$/, ''));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new ConfigError(
        { file: displayFile, key, value: `${file} (${code})`, expected: 'a readable file holding it' },
        { cause: err },
      );
    }
  };
  return {
    url,
    team,
    readOnly,
    token: secret(REMOTE_ENV.token, config?.tokenFile ?? null, 'remoteCache.tokenFile'),
    signatureKey: secret(REMOTE_ENV.signatureKey, config?.signatureKeyFile ?? null, 'remoteCache.signatureKeyFile'),
  };
}
