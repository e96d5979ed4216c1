// Issue 16: the x-artifact-tag of the Turborepo Remote Cache API: HMAC-SHA256
// over {"hash","teamId"} as JSON and the body, base64 (vercel/turborepo,
// crates/turborepo-cache/src/signature_authentication.rs).
import crypto from 'node:crypto';
import util from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret, artifactTag, isTagValid } from '../../../src/cache/index.js';

const key = new Secret('my-secret-key-env');
const body = Buffer.from('the artifact body as bytes');

describe('issue 16: artifact signatures', () => {
  it('is the published HMAC, and verifies padded or not', () => {
    const tag = artifactTag(key, 'the-artifact-hash', 'team_someid', body);
    const published = crypto
      .createHmac('sha256', 'my-secret-key-env')
      .update('{"hash":"the-artifact-hash","teamId":"team_someid"}')
      .update(body)
      .digest('base64');
    expect(tag).toBe(published);
    expect(isTagValid(key, 'the-artifact-hash', 'team_someid', body, tag)).toBe(true);
    expect(isTagValid(key, 'the-artifact-hash', 'team_someid', body, tag.replace(/=+$/, ''))).toBe(true);
  });

  it('does not verify under another key, hash, team or body, nor a tag that is not one', () => {
    const tag = artifactTag(key, 'h', 't', body);
    expect(isTagValid(new Secret('other'), 'h', 't', body, tag)).toBe(false);
    expect(isTagValid(key, 'h2', 't', body, tag)).toBe(false);
    expect(isTagValid(key, 'h', 't2', body, tag)).toBe(false);
    expect(isTagValid(key, 'h', 't', Buffer.concat([body, Buffer.from('x')]), tag)).toBe(false);
    expect(isTagValid(key, 'h', 't', body, 'bad tag')).toBe(false);
    expect(isTagValid(key, 'h', 't', body, '')).toBe(false);
  });

  it('never shows a secret: not in a string, JSON or util.inspect', () => {
    const s = new Secret('hunter2');
    expect(`${String(s)} ${JSON.stringify({ s })} ${util.inspect({ s })}`).not.toContain('hunter2');
    expect(s.reveal()).toBe('hunter2');
  });
});
