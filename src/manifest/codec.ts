// Packs the manifest's tables into compact blobs and back. A no-op run must
// load 100,000 files and results in a few milliseconds, which row-by-row
// reads cannot do: numbers go in one Float64Array, names in one '\0'-joined
// string, fixed-width hex digests in one string sliced per entry.
import { endFromFlat, flatEnd } from '../job-end.js';
import type { RawResultRow } from '../store/index.js';
import type { Digest, Fingerprint, LatchId, RelPath } from '../types.js';
import type { FileChange } from './file-changes.js';
import { FILES_V2, FileTable, type StoredRow } from './file-table.js';
import type { DirListing, FileEntry, JobResult, ResultStatus } from './model.js';
import {
  DEPS_DIGEST,
  DEPS_NONE,
  DEPS_UNKNOWN,
  HEX,
  PackedResults,
  RESULTS_V3,
  STATUSES,
  unjudgedOf,
} from './packed-results.js';
import { HEADER, unpack } from './packed-layout.js';
import { UNKNOWN_DEPS } from './recorded-deps.js';

function pack(
  count: number,
  numbersPer: number,
  fill: (numbers: Float64Array, texts: string[], hex: string[]) => void,
): Buffer {
  const numbers = new Float64Array(count * numbersPer);
  const texts: string[] = [];
  const hex: string[] = [];
  fill(numbers, texts, hex);
  const text = Buffer.from(texts.join('\0'), 'utf8');
  const joined = hex.join('');
  const hexBuf = Buffer.from(joined, 'hex'); // stored as bytes: half the size of the text
  // Buffer.from stops at the first character that is not hex: every entry after it would read back empty.
  if (hexBuf.length * 2 !== joined.length || joined.length !== hex.length * HEX)
    throw new Error('snapshot: a digest that is not 32 hex digits');
  const out = Buffer.allocUnsafe(HEADER + numbers.byteLength + 4 + text.length + hexBuf.length);
  out.writeUInt32LE(count, 0);
  out.writeUInt32LE(numbersPer, 4);
  Buffer.from(numbers.buffer, numbers.byteOffset, numbers.byteLength).copy(out, HEADER);
  let at = HEADER + numbers.byteLength;
  out.writeUInt32LE(text.length, at);
  at += 4;
  text.copy(out, at);
  hexBuf.copy(out, at + text.length);
  return out;
}

/** Paths and digests are joined this many at a time, each batch written into the buffer at once. */
const BATCH = 2048;

/**
 * The files snapshot in pack()'s layout, with no array of every path or digest and no string of them all
 * (a watch folding 100,000 entries peaked tens of MB higher through those: issue 17 point 3): the texts go
 * into the buffer in batches, and a file table's rows are read without building their entries.
 */
export function encodeFiles(files: ReadonlyMap<RelPath, FileEntry>): Buffer {
  const count = files.size;
  const numbers = new Float64Array(count * FILES_V2);
  // Batches of paths and of digests, each joined once it is full.
  const texts: string[] = [];
  const digests: string[] = [];
  let paths: string[] = [];
  let hex: string[] = [];
  let i = 0;
  const add: StoredRow = (path, size, mtimeMs, ctimeMs, ino, changedAt, digest) => {
    if (digest.length !== HEX) throw new Error('snapshot: a digest that is not 32 hex digits');
    numbers[i++] = size;
    numbers[i++] = mtimeMs;
    numbers[i++] = ctimeMs;
    numbers[i++] = ino;
    numbers[i++] = changedAt;
    paths.push(path);
    hex.push(digest);
    if (paths.length === BATCH) {
      texts.push(paths.join('\0'));
      digests.push(hex.join(''));
      paths = [];
      hex = [];
    }
  };
  if (files instanceof FileTable) files.forEachStored(add);
  else for (const [path, f] of files) add(path, f.size, f.mtimeMs, f.ctimeMs, f.ino, f.changedAt, f.digest);
  if (paths.length > 0) {
    texts.push(paths.join('\0'));
    digests.push(hex.join(''));
  }
  let textLen = Math.max(0, texts.length - 1); // the '\0' between batches
  for (const t of texts) textLen += Buffer.byteLength(t, 'utf8');
  const at = HEADER + numbers.byteLength;
  const out = Buffer.allocUnsafe(at + 4 + textLen + count * (HEX / 2));
  out.writeUInt32LE(count, 0);
  out.writeUInt32LE(FILES_V2, 4);
  Buffer.from(numbers.buffer, numbers.byteOffset, numbers.byteLength).copy(out, HEADER);
  out.writeUInt32LE(textLen, at);
  let to = at + 4;
  for (let b = 0; b < texts.length; b++) {
    if (b > 0) out[to++] = 0;
    to += out.write(texts[b]!, to, 'utf8');
  }
  for (const h of digests) {
    // Buffer.write stops at the first character that is not hex: every entry after it would read back wrong.
    if (out.write(h, to, 'hex') * 2 !== h.length) throw new Error('snapshot: a digest that is not 32 hex digits');
    to += h.length / 2;
  }
  return out;
}

/** A files snapshot as the table the manifest keeps: packed rows, no entry object per file. */
export function decodeFiles(buf: Buffer): FileTable {
  return FileTable.decode(buf);
}

/** The files delta's layout: a files entry (FILES_V2) and its operation, 6 numbers per entry. */
const FILE_DELTA = FILES_V2 + 1;
const OPS: readonly FileChange[] = ['set', 'moved', 'removed'];
const NO_DIGEST = '0'.repeat(HEX);

/** The table's changes since its base (file-changes.ts) with their entries now: the files_delta snapshot. */
export function encodeFileChanges(files: FileTable, changes: ReadonlyMap<RelPath, FileChange>): Buffer {
  return pack(changes.size, FILE_DELTA, (n, texts, hex) => {
    let i = 0;
    for (const [path, op] of changes) {
      const f = op === 'removed' ? undefined : files.get(path);
      if (op !== 'removed' && f === undefined) throw new Error(`files delta: ${path} is not in the table`);
      n[i++] = f?.size ?? 0;
      n[i++] = f?.mtimeMs ?? 0;
      n[i++] = f?.ctimeMs ?? 0;
      n[i++] = f?.ino ?? 0;
      n[i++] = f?.changedAt ?? 0;
      n[i++] = OPS.indexOf(op);
      texts.push(path);
      hex.push(f?.digest ?? NO_DIGEST);
    }
  });
}

/** A files_delta snapshot as [path, operation, entry (null when removed)], in replay order. */
export function decodeFileChanges(buf: Buffer): [RelPath, FileChange, FileEntry | null][] {
  const { count, numbers: n, text, digests } = unpack(buf, FILE_DELTA);
  if (count === 0) return [];
  const hex = digests.toString('hex');
  const paths = text.split('\0');
  const out: [RelPath, FileChange, FileEntry | null][] = [];
  for (let i = 0; i < count; i++) {
    const o = i * FILE_DELTA;
    const op = OPS[n[o + 5]!];
    if (op === undefined) throw new Error(`files delta: unknown operation ${n[o + 5]}`);
    const entry: FileEntry | null =
      op === 'removed'
        ? null
        : {
            size: n[o]!,
            mtimeMs: n[o + 1]!,
            ctimeMs: n[o + 2]!,
            ino: n[o + 3]!,
            changedAt: n[o + 4]!,
            digest: hex.slice(i * HEX, i * HEX + HEX) as Digest,
            seen: 0,
          };
    out.push([paths[i] as RelPath, op, entry]);
  }
  return out;
}

/** Directory layouts, by numbers per entry: 3 (the directory's stat), 8 (and its .gitignore's, size -1: none; 1 when git's rules left a name out). */
const DIRS_V1 = 3;
const DIRS_V2 = 8;

export function encodeDirs(dirs: ReadonlyMap<RelPath, DirListing>): Buffer {
  return pack(dirs.size, DIRS_V2, (n, texts) => {
    let i = 0;
    for (const [path, d] of dirs) {
      n[i++] = d.mtimeMs;
      n[i++] = d.ctimeMs;
      n[i++] = d.ino;
      const g = d.ignoreFile;
      n[i++] = g === null ? -1 : g.size;
      n[i++] = g === null ? 0 : g.mtimeMs;
      n[i++] = g === null ? 0 : g.ctimeMs;
      n[i++] = g === null ? 0 : g.ino;
      n[i++] = d.hasIgnored ? 1 : 0;
      texts.push(path, d.files.join('/'), d.subdirs.join('/'));
    }
  });
}

const names = (s: string | undefined): string[] => (s === undefined || s === '' ? [] : s.split('/'));

export function decodeDirs(buf: Buffer, into: Map<RelPath, DirListing>): void {
  const { count, numbersPer: w, numbers: n, text } = unpack(buf, [DIRS_V1, DIRS_V2]);
  if (count === 0) return;
  const parts = text.split('\0');
  for (let i = 0; i < count; i++) {
    const o = i * w;
    into.set(parts[i * 3] as RelPath, {
      mtimeMs: n[o]!,
      ctimeMs: n[o + 1]!,
      ino: n[o + 2]!,
      files: names(parts[i * 3 + 1]),
      subdirs: names(parts[i * 3 + 2]),
      ignoreFile:
        w === DIRS_V2 && n[o + 3]! >= 0
          ? { size: n[o + 3]!, mtimeMs: n[o + 4]!, ctimeMs: n[o + 5]!, ino: n[o + 6]! }
          : null,
      hasIgnored: w === DIRS_V2 && n[o + 7] === 1,
    });
  }
}

/**
 * An unjudged result's stop, kept in the flags above their named bits (no
 * new column, so no schema change): 0 for none, else processes * 2 + (1 for
 * a dense stop) + 1. A runner that does not know these bits reads the
 * result's status, 'interrupted', and runs the job again: safe.
 */
function unjudgedBits(r: Pick<JobResult, 'unjudged'>): number {
  const u = r.unjudged;
  return u === undefined ? 0 : u.processes * 2 + (u.kind === 'dense' ? 1 : 0) + 1;
}

const NO_DEPS = '0'.repeat(HEX);

/** Results, oldest first within each job, so decoding in order rebuilds each history. */
export function encodeResults(results: Iterable<JobResult>): Buffer {
  const list = [...results];
  return pack(list.length, RESULTS_V3, (n, texts, hex) => {
    let i = 0;
    for (const r of list) {
      const end = flatEnd(r.end); // the store keeps the flat columns of before the union
      n[i++] = STATUSES.indexOf(r.status);
      n[i++] = end.exitCode ?? Number.NaN;
      n[i++] =
        ((end.timedOut ? 1 : 0) | (r.hasLog ? 2 : 0) | (r.remote === true ? 4 : 0) | (r.remoteMiss === true ? 8 : 0)) +
        unjudgedBits(r) * 16;
      // flags above: 1 timed out, 2 has a log, 4 restored from the remote cache, 8 a remote miss, 16 and up unjudged
      n[i++] = r.durationMs;
      n[i++] = r.finishedAt;
      n[i++] = r.depsDigest === '' ? DEPS_NONE : r.depsDigest === UNKNOWN_DEPS ? DEPS_UNKNOWN : DEPS_DIGEST;
      n[i++] = r.usedAt;
      n[i++] = r.logBytes;
      texts.push(r.tool, r.path, end.signal ?? '', r.deps);
      hex.push(
        r.fingerprint,
        r.latchId,
        r.digest,
        r.depsDigest === '' || r.depsDigest === UNKNOWN_DEPS ? NO_DEPS : r.depsDigest,
      );
    }
  });
}

/** Every result of a snapshot as an object, in order (the manifest keeps them packed: PackedResults). */
export function decodeResults(buf: Buffer, visit: (r: JobResult) => void): void {
  const packed = PackedResults.decode(buf);
  for (let i = 0; i < packed.count; i++) visit(packed.result(i));
}

/** A result journal row (store/db.ts column order, the flat end's columns) and back. */
export function fromJournal(r: RawResultRow): JobResult {
  const status = r[5] as ResultStatus;
  return {
    tool: r[0],
    path: r[1] as RelPath,
    fingerprint: r[2] as Fingerprint,
    latchId: r[3] as LatchId,
    digest: r[4] as Digest,
    status,
    end: endFromFlat(status, r[6], r[7], r[8] === 1),
    durationMs: r[9],
    // The has_log column holds flags: 1 has a log, 2 restored from the remote cache, 4 a remote miss, 8 and up unjudged.
    hasLog: (r[10] & 1) !== 0,
    ...((r[10] & 2) !== 0 ? { remote: true as const } : {}),
    ...((r[10] & 4) !== 0 ? { remoteMiss: true as const } : {}),
    ...unjudgedOf(Math.floor(r[10] / 8)),
    finishedAt: r[11],
    depsDigest: r[12],
    deps: r[13],
    usedAt: r[14] === 0 ? r[11] : r[14],
    logBytes: r[15],
  };
}

export function toJournal(r: JobResult): RawResultRow {
  const end = flatEnd(r.end);
  return [
    r.tool,
    r.path,
    r.fingerprint,
    r.latchId,
    r.digest,
    r.status,
    end.exitCode,
    end.signal,
    end.timedOut ? 1 : 0,
    r.durationMs,
    ((r.hasLog ? 1 : 0) | (r.remote === true ? 2 : 0) | (r.remoteMiss === true ? 4 : 0)) + unjudgedBits(r) * 8,
    r.finishedAt,
    r.depsDigest,
    r.deps,
    r.usedAt,
    r.logBytes,
  ];
}
