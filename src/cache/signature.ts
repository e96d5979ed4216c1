// The artifact signature of the Turborepo Remote Cache API (x-artifact-tag):
// HMAC-SHA256, keyed by the team's signature key, over the JSON
// {"hash":HASH,"teamId":TEAM} followed by the artifact's bytes, in base64
// (vercel/turborepo, crates/turborepo-cache/src/signature_authentication.rs).
// A server stores the tag beside the artifact and never checks it: only a
// client holding the key can tell a forged or swapped artifact.
import crypto from 'node:crypto';
import type { Secret } from './secret.js';

function hmacOf(key: Secret, hash: string, team: string, body: Buffer): Buffer {
  const h = crypto.createHmac('sha256', key.reveal());
  h.update(JSON.stringify({ hash, teamId: team }));
  h.update(body);
  return h.digest();
}

export function artifactTag(key: Secret, hash: string, team: string, body: Buffer): string {
  return hmacOf(key, hash, team, body).toString('base64');
}

/** Whether `tag` signs these bytes under this key; padded and unpadded base64 both read (Turborepo has sent each). */
export function isTagValid(key: Secret, hash: string, team: string, body: Buffer, tag: string): boolean {
  const expected = hmacOf(key, hash, team, body);
  const got = Buffer.from(tag, 'base64');
  return got.length === expected.length && crypto.timingSafeEqual(got, expected);
}
