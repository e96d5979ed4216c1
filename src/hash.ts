// The hash primitives every stage uses, so a digest means the same thing everywhere.
import crypto from 'node:crypto';
import type { Digest } from './types.js';

/** 128 bits of sha256, hex: ample against collisions, half the memory of the full hash. */
const HEX_CHARS = 32;

// One crypto.hash call, no Hash object: half the time of createHash for the short strings a plan
// hashes (a fingerprint per stale job), the same digest.
export function hashString(s: string): string {
  return crypto.hash('sha256', s, 'hex').slice(0, HEX_CHARS);
}

export function digestBytes(buf: Uint8Array): Digest {
  return crypto.hash('sha256', buf, 'hex').slice(0, HEX_CHARS) as Digest;
}

/** JSON with object keys sorted at every level, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}
