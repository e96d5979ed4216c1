// The codec of a remote cache artifact: one job's result, its log and the
// files it wrote (its tool's `outputs`). Pure: bytes in, bytes out. A body
// that does not decode is named, never guessed at: the caller takes it as a
// miss. Whether its outputs may be written into a tree is the caller's
// question (api/remote-outputs.ts).
//
// Layout (ARTIFACT_FORMAT 2; 1 had no output digests, and never carried outputs):
//   "RNRA"                 4 bytes, the magic
//   header length          u32, big-endian
//   header                 UTF-8 JSON, ArtifactHeader
//   payload                the log (header.logBytes bytes), then each output
//                          (header.outputs[i].bytes bytes), in order; gzipped
//                          when header.encoding says so
// Length-prefixed, so a log holding any bytes never confuses the parser. A
// small payload is stored as it is: a zlib stream per artifact costs more CPU
// than a 10,000-hit restore can spare, for a few bytes saved.
import { createRequire } from 'node:module';
import type { JobEnd } from '../job-end.js';
import type { Fingerprint, RelPath } from '../types.js';

// zlib loads with the first artifact (about 1 ms): most runs have no remote cache.
let zlibLoaded: typeof import('node:zlib') | undefined;
const zlib = (): typeof import('node:zlib') =>
  (zlibLoaded ??= createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib'));

/** Goes up when the layout or a field's meaning changes: it is in every key, so old artifacts are simply never asked for. */
export const ARTIFACT_FORMAT = 2;
const MAGIC = Buffer.from('RNRA');
/** Payloads from this size up are gzipped. */
const GZIP_FROM = 1024;
/**
 * An artifact's payload (log and outputs, decoded) is at most this: a larger
 * result is not uploaded, and a payload past it is refused rather than
 * inflated (a hostile server's gzip bomb). With LOOKUPS_AT_ONCE and
 * UPLOADS_AT_ONCE, it bounds what a run holds in memory for the cache.
 */
export const MAX_ARTIFACT_BYTES = 64 * 1024 * 1024;

/** The artifact's name on the server: the job's fingerprint under the format version (hex and '-' only, any server takes it). */
export function artifactKey(fingerprint: Fingerprint): string {
  return `runner${ARTIFACT_FORMAT}-${fingerprint}`;
}

export interface ArtifactOutput {
  /** Relative to the source tree, as the writing machine's list had it (never trusted: checked before use). */
  path: string;
  /** Permission bits (mode & 0o777). */
  mode: number;
  /** The content's digest (hash.ts digestBytes): the restoring machine stores the bytes only if they hash to it. */
  digest: string;
  bytes: number;
}

export interface ArtifactHeader {
  format: typeof ARTIFACT_FORMAT;
  /** Repeated from the key's inputs so that a swapped artifact is caught even unsigned. */
  tool: string;
  path: RelPath;
  status: 'passed' | 'failed';
  /** Only a job that exited by itself is shared: a timeout, a kill or an interrupt is this machine's story. */
  end: Extract<JobEnd, { kind: 'exit' }>;
  durationMs: number;
  logBytes: number;
  /** The files a passed job wrote (its tool's `outputs`), in its list's order; empty for a failure or a tool without. */
  outputs: ArtifactOutput[];
  /** How the payload after the header is stored (the sizes above are its decoded ones); encodeArtifact decides. */
  encoding: 'identity' | 'gzip';
}

export interface Artifact {
  header: ArtifactHeader;
  log: Buffer;
  /** One buffer per header.outputs entry. */
  outputs: Buffer[];
}

/** The artifact's bytes; the header's `encoding` is set here, from the payload's size. */
export function encodeArtifact(a: Artifact): Buffer {
  const raw = Buffer.concat([a.log, ...a.outputs]);
  const encoding = raw.length >= GZIP_FROM ? 'gzip' : 'identity';
  const header = Buffer.from(JSON.stringify({ ...a.header, encoding }));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(header.length);
  // Level 1: most of what gzip saves on a log, at the least CPU; the server's disk is cheap, the run's CPU is not.
  const payload = encoding === 'gzip' ? zlib().gzipSync(raw, { level: 1 }) : raw;
  return Buffer.concat([MAGIC, len, header, payload]);
}

/** The artifact, or why these bytes are not one. */
export function decodeArtifact(body: Buffer): { ok: true; artifact: Artifact } | { ok: false; problem: string } {
  if (body.length < 8 || !body.subarray(0, 4).equals(MAGIC)) return { ok: false, problem: 'not a runner artifact' };
  const headerEnd = 8 + body.readUInt32BE(4);
  if (headerEnd > body.length) return { ok: false, problem: 'truncated header' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.subarray(8, headerEnd).toString('utf8'));
  } catch {
    return { ok: false, problem: 'header is not JSON' };
  }
  const header = checkHeader(parsed);
  if (header === null) return { ok: false, problem: 'header has the wrong shape' };
  let payload = body.subarray(headerEnd);
  if (header.encoding === 'gzip') {
    try {
      payload = zlib().gunzipSync(payload, { maxOutputLength: MAX_ARTIFACT_BYTES });
    } catch {
      return { ok: false, problem: 'payload is not gzip, or too large' };
    }
  }
  const sizes = [header.logBytes, ...header.outputs.map((o) => o.bytes)];
  if (sizes.reduce((a, b) => a + b, 0) !== payload.length) return { ok: false, problem: 'sizes do not add up' };
  const parts: Buffer[] = [];
  let at = 0;
  for (const n of sizes) parts.push(payload.subarray(at, (at += n)));
  return { ok: true, artifact: { header, log: parts[0]!, outputs: parts.slice(1) } };
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function checkHeader(v: unknown): ArtifactHeader | null {
  if (typeof v !== 'object' || v === null) return null;
  const h = v as Record<string, unknown>;
  const end = h.end as Record<string, unknown> | null | undefined;
  if (
    h.format !== ARTIFACT_FORMAT ||
    typeof h.tool !== 'string' ||
    typeof h.path !== 'string' ||
    (h.status !== 'passed' && h.status !== 'failed') ||
    typeof end !== 'object' ||
    end === null ||
    end.kind !== 'exit' ||
    typeof end.code !== 'number' ||
    !Number.isInteger(end.code) ||
    // The verdict follows from the end, as statusOf says: a header claiming a pass for exit 1 is refused.
    (end.code === 0) !== (h.status === 'passed') ||
    typeof h.durationMs !== 'number' ||
    !(h.durationMs >= 0) ||
    !isCount(h.logBytes) ||
    !Array.isArray(h.outputs) ||
    (h.encoding !== 'identity' && h.encoding !== 'gzip')
  )
    return null;
  const outputs: ArtifactOutput[] = [];
  for (const o of h.outputs as unknown[]) {
    if (typeof o !== 'object' || o === null) return null;
    const x = o as Record<string, unknown>;
    if (
      typeof x.path !== 'string' ||
      !isCount(x.mode) ||
      x.mode > 0o777 ||
      typeof x.digest !== 'string' ||
      !/^[0-9a-f]{32}$/.test(x.digest) ||
      !isCount(x.bytes)
    )
      return null;
    outputs.push({ path: x.path, mode: x.mode, digest: x.digest, bytes: x.bytes });
  }
  return {
    format: ARTIFACT_FORMAT,
    tool: h.tool,
    path: h.path as RelPath,
    status: h.status,
    end: { kind: 'exit', code: end.code },
    durationMs: h.durationMs,
    logBytes: h.logBytes,
    outputs,
    encoding: h.encoding,
  };
}
