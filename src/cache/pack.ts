// Artifact packs: many jobs' artifacts under one key, so that a cold clone
// asks the server once per pack rather than once per job (issue 16 point 8:
// the server's work per request, not runner's, bounds a cold clone). Pure:
// which jobs share a pack, the pack's key, its bytes. A pack only saves
// requests: each member is still uploaded on its own, and whatever a pack
// cannot give is asked for singly (api/remote-results.ts).
//
// Which jobs share a pack must come out the same on every machine that has
// the same files, and a change to one file must not move the others: the
// jobs of a tool, sorted by path, are cut after each path whose hash is 0
// modulo PACK_SPAN (content-defined chunking, as rsync and restic cut files),
// so a pack's members depend only on the paths between two cuts. Its key
// hashes its members' keys: a pack is found only when every member's key is
// the one it was uploaded under.
//
// Layout (PACK_FORMAT 1):
//   "RNRP"                 4 bytes, the magic
//   count                  u32, big-endian
//   count times:           u32 key length, the member's key (ASCII),
//                          u32 artifact length, its artifact (artifact.ts)
import crypto from 'node:crypto';
import type { RelPath } from '../types.js';

/** Goes up when the layout changes; it is in every pack's key, so old packs are never asked for. */
export const PACK_FORMAT = 1;
const MAGIC = Buffer.from('RNRP');
/** Packs hold this many members on average (a cut after one path in PACK_SPAN). */
export const PACK_SPAN = 256;
/**
 * Fewer members than this are not packed: the request a pack saves is worth
 * less than the one it costs when it misses (a run with few stale jobs, where
 * a changed file's pack is missing anyway, asks for its jobs singly).
 */
export const MIN_PACK_MEMBERS = 64;
/** A cut is forced after this many members, so an unlucky run of paths never makes one huge pack. */
export const MAX_PACK_MEMBERS = 1024;
/** A member artifact larger than this keeps its pack from being made (a pack is read whole, as one answer). */
export const MAX_PACKED_ARTIFACT_BYTES = 64 * 1024;
/** A pack is not made past this size: with LOOKUPS_AT_ONCE of them in flight, it bounds what lookups hold. */
export const MAX_PACK_BYTES = 4 * 1024 * 1024;

/** A job as a pack sees it: its tool, its path, and its artifact's key. */
export interface PackMember {
  tool: string;
  path: RelPath;
  key: string;
}

export interface PackGroup<M extends PackMember> {
  /** The pack's name on the server (hex and '-' only, as artifactKey's). */
  key: string;
  members: M[];
}

/** FNV-1a, 32 bits, over the UTF-16 code units: a cheap hash, the same on every machine. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const isCut = (m: PackMember): boolean => fnv1a(`${m.tool}\0${m.path}`) % PACK_SPAN === 0;
const byToolThenPath = (a: PackMember, b: PackMember): number =>
  a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : a.path < b.path ? -1 : a.path > b.path ? 1 : 0;

export function packKey(members: readonly PackMember[]): string {
  const h = crypto.createHash('sha256');
  for (const m of members) h.update(`${m.key}\n`);
  // The members' keys carry ARTIFACT_FORMAT: a new artifact format makes new pack keys too.
  return `runnerpack${PACK_FORMAT}-${h.digest('hex')}`;
}

/** The packs these jobs fall into, each with at least MIN_PACK_MEMBERS members; jobs in no pack are left out. */
export function packGroups<M extends PackMember>(jobs: readonly M[]): PackGroup<M>[] {
  const sorted = [...jobs].sort(byToolThenPath);
  const groups: PackGroup<M>[] = [];
  let run: M[] = [];
  const close = (): void => {
    if (run.length >= MIN_PACK_MEMBERS) groups.push({ key: packKey(run), members: run });
    run = [];
  };
  for (const m of sorted) {
    if (run.length > 0 && run[0]!.tool !== m.tool) close();
    run.push(m);
    if (isCut(m) || run.length >= MAX_PACK_MEMBERS) close();
  }
  close();
  return groups;
}

export function encodePack(members: readonly { key: string; artifact: Buffer }[]): Buffer {
  const parts: Buffer[] = [MAGIC, u32(members.length)];
  for (const m of members) {
    const key = Buffer.from(m.key, 'latin1');
    parts.push(u32(key.length), key, u32(m.artifact.length), m.artifact);
  }
  return Buffer.concat(parts);
}

/** The members' keys and artifacts (not yet decoded), or why these bytes are not a pack. */
export function decodePack(
  body: Buffer,
): { ok: true; members: { key: string; artifact: Buffer }[] } | { ok: false; problem: string } {
  if (body.length < 8 || !body.subarray(0, 4).equals(MAGIC)) return { ok: false, problem: 'not a runner pack' };
  const count = body.readUInt32BE(4);
  const members: { key: string; artifact: Buffer }[] = [];
  let at = 8;
  const take = (): Buffer | null => {
    if (at + 4 > body.length) return null;
    const n = body.readUInt32BE(at);
    if (at + 4 + n > body.length) return null;
    const b = body.subarray(at + 4, at + 4 + n);
    at += 4 + n;
    return b;
  };
  for (let i = 0; i < count; i++) {
    const key = take();
    const artifact = key === null ? null : take();
    if (key === null || artifact === null) return { ok: false, problem: 'truncated' };
    members.push({ key: key.toString('latin1'), artifact });
  }
  if (at !== body.length) return { ok: false, problem: 'bytes after the last member' };
  return { ok: true, members };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
