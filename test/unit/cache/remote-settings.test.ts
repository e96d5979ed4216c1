// Issue 16: where the remote cache is and how to use it: the config's
// remoteCache, with the RUNNER_REMOTE_CACHE_* variables winning; the token and
// key only from the environment or a file the config names.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { remoteSettingsOf } from '../../../src/cache/index.js';
import { validateConfig } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors.js';

const tool = { name: 'lint', command: ['flake8', '{file}'] };
const configOf = (remoteCache: unknown) => validateConfig({ tools: [tool], remoteCache }, '.runnerrc.json').remoteCache;

function dir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-settings-'));
  onTestFinished(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('issue 16: remote cache settings', () => {
  it('are none without a URL in the config or the environment', () => {
    expect(remoteSettingsOf(undefined, {}, '/t/.runnerrc.json', '.runnerrc.json')).toBeNull();
    expect(remoteSettingsOf(configOf({ team: 'x' }), {}, '/t/.runnerrc.json', '.runnerrc.json')).toBeNull();
  });

  it('take the environment over the config, and the token and key from files the config names', () => {
    const d = dir();
    fs.writeFileSync(path.join(d, 'token'), 'from-file\n');
    fs.writeFileSync(path.join(d, 'key'), 'key-from-file');
    const config = configOf({ url: 'https://cache.example/', team: 'a', tokenFile: 'token', signatureKeyFile: 'key' });
    const file = path.join(d, '.runnerrc.json');
    const fromConfig = remoteSettingsOf(config, {}, file, '.runnerrc.json')!;
    expect(fromConfig).toMatchObject({ url: 'https://cache.example', team: 'a', readOnly: false });
    expect(fromConfig.token?.reveal()).toBe('from-file');
    expect(fromConfig.signatureKey?.reveal()).toBe('key-from-file');
    const env = {
      RUNNER_REMOTE_CACHE_URL: 'http://127.0.0.1:8080/prefix',
      RUNNER_REMOTE_CACHE_TEAM: 'b',
      RUNNER_REMOTE_CACHE_TOKEN: 'from-env',
      RUNNER_REMOTE_CACHE_SIGNATURE_KEY: 'key-from-env',
      RUNNER_REMOTE_CACHE_READ_ONLY: '1',
    };
    const fromEnv = remoteSettingsOf(config, env, file, '.runnerrc.json')!;
    expect(fromEnv).toMatchObject({ url: 'http://127.0.0.1:8080/prefix', team: 'b', readOnly: true });
    expect(fromEnv.token?.reveal()).toBe('from-env');
    expect(fromEnv.signatureKey?.reveal()).toBe('key-from-env');
    // Printed, the settings never show a secret.
    expect(JSON.stringify(fromEnv)).not.toMatch(/from-env|key-from-env/);
    expect(
      remoteSettingsOf(
        configOf({ url: 'http://x', team: 't', readOnly: true }),
        { RUNNER_REMOTE_CACHE_READ_ONLY: '0' },
        file,
        'f',
      )!.readOnly,
    ).toBe(false);
  });

  it('refuse a missing team, a URL that is not http(s) or carries credentials, and a token file that cannot be read', () => {
    expect(errorOf(() => remoteSettingsOf(configOf({ url: 'http://x' }), {}, '/t/c.json', 'c.json'))).toBe(
      'c.json: remoteCache.team is missing; expected the team the server keeps the artifacts under, in the config or RUNNER_REMOTE_CACHE_TEAM',
    );
    expect(errorOf(() => configOf({ url: 'ftp://x' }))).toBe(
      '.runnerrc.json: remoteCache.url is "ftp://x"; expected an http or https URL without a user or password, e.g. "https://cache.example.com"',
    );
    expect(errorOf(() => configOf({ url: 'https://u:pw@x' }))).not.toContain('pw');
    expect(
      errorOf(() =>
        remoteSettingsOf(
          undefined,
          { RUNNER_REMOTE_CACHE_URL: 'nope', RUNNER_REMOTE_CACHE_TEAM: 't' },
          '/t/c.json',
          'c.json',
        ),
      ),
    ).toBe(
      '(environment): RUNNER_REMOTE_CACHE_URL is "nope"; expected an http or https URL without a user or password, e.g. "https://cache.example.com"',
    );
    expect(errorOf(() => configOf({ url: 'http://x', tokne: 'x' }))).toMatch(/unknown key "remoteCache.tokne"/);
    expect(
      errorOf(() =>
        remoteSettingsOf(
          configOf({ url: 'http://x', team: 't', tokenFile: 'missing' }),
          {},
          path.join(dir(), 'c.json'),
          'c.json',
        ),
      ),
    ).toBe('c.json: remoteCache.tokenFile is "missing (ENOENT)"; expected a readable file holding it');
  });
});
