// Checks the config's `remoteCache` section (README, "Remote cache"). Pure:
// reads no file; where the token and key come from is decided by
// cache/remote-settings.ts, which lets the environment win.
import { REMOTE_CACHE_KEYS, type RemoteCacheConfig } from '../schema.js';
import { type Ctx, checkBoolean, checkNonEmptyString, fail, isPlainObject, rejectUnknownKeys } from './check.js';

export function checkRemoteCache(ctx: Ctx, raw: unknown): RemoteCacheConfig {
  if (!isPlainObject(raw))
    fail(ctx, 'remoteCache', raw, 'an object, e.g. {"url": "https://cache.example.com", "team": "my-team"}');
  rejectUnknownKeys(ctx, raw, REMOTE_CACHE_KEYS, 'remoteCache.');
  const out: RemoteCacheConfig = { url: null, team: null, readOnly: false, tokenFile: null, signatureKeyFile: null };
  if (raw.url !== undefined && raw.url !== null) out.url = checkUrl(ctx, raw.url);
  if (raw.team !== undefined && raw.team !== null)
    out.team = checkNonEmptyString(ctx, 'remoteCache.team', raw.team, 'the team name the server knows, e.g. "my-team"');
  if (raw.readOnly !== undefined) out.readOnly = checkBoolean(ctx, 'remoteCache.readOnly', raw.readOnly);
  const file = (key: 'tokenFile' | 'signatureKeyFile'): string | null =>
    raw[key] === undefined || raw[key] === null
      ? null
      : checkNonEmptyString(ctx, `remoteCache.${key}`, raw[key], 'a file path, relative to the config file');
  out.tokenFile = file('tokenFile');
  out.signatureKeyFile = file('signatureKeyFile');
  return out;
}

/** An http(s) URL without credentials in it: a token in the URL would be printed wherever the URL is. */
export function checkUrl(ctx: Ctx, v: unknown, key = 'remoteCache.url'): string {
  const expected = 'an http or https URL without a user or password, e.g. "https://cache.example.com"';
  if (typeof v !== 'string') fail(ctx, key, v, expected);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    fail(ctx, key, v, expected);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '')
    fail(ctx, key, url.username !== '' || url.password !== '' ? '(a URL with credentials)' : v, expected);
  return v.replace(/\/+$/, '');
}
