// A passed job's outputs on their way through the remote cache: packed from
// the local store (outputs/) into an artifact on upload, and on a hit checked
// whole before anything is written: every path relative, inside the tree and
// named by the job's own output patterns, every byte hashing to its digest;
// only then kept in the local store. Writing them into the tree is the hit's
// recording (remote-results.ts), through restoreOutputs.
import fs from 'node:fs';
import path from 'node:path';
import { type Artifact, type ArtifactOutput, type Accepted, MAX_ARTIFACT_BYTES } from '../cache/index.js';
import { digestBytes } from '../hash.js';
import {
  type OutputEntry,
  blobPath,
  jobOutputPatterns,
  namesOutput,
  readOutputList,
  storeBlob,
} from '../outputs/index.js';
import type { PlannedJob } from '../plan/index.js';
import type { Digest, Fingerprint, RelPath } from '../types.js';

/** What a hit's outputs became once accepted: the list to record with its result, and their size. */
export interface AcceptedOutputs {
  outputs: OutputEntry[];
  bytes: number;
}

export type Packed =
  | { kind: 'packed'; outputs: ArtifactOutput[]; data: Buffer[] }
  /** Its log and outputs are over MAX_ARTIFACT_BYTES together (`bytes`): not uploaded. */
  | { kind: 'too-large'; bytes: number }
  /** The list or a blob went (swept, or never kept): nothing whole to share. */
  | { kind: 'gone' };

/** The outputs kept with a result (`logBytes`: its log's size, counted toward the cap), read from the store. */
export function packOutputs(stateDir: string, fingerprint: Fingerprint, logBytes: number): Packed {
  const list = readOutputList(stateDir, fingerprint);
  if (list === null) return { kind: 'gone' };
  const bytes = list.reduce((n, e) => n + e.size, logBytes);
  // Decided from the list's sizes, before any blob is read: an over-cap result is never held in memory.
  if (bytes > MAX_ARTIFACT_BYTES) return { kind: 'too-large', bytes };
  const data: Buffer[] = [];
  try {
    for (const e of list) data.push(fs.readFileSync(blobPath(stateDir, e.digest)));
  } catch {
    return { kind: 'gone' };
  }
  return {
    kind: 'packed',
    outputs: list.map((e, i) => ({ path: e.path, mode: e.mode, digest: e.digest, bytes: data[i]!.length })),
    data,
  };
}

export interface UnpackScope {
  /** The tree the outputs belong in. */
  root: string;
  stateDir: string;
}

/**
 * Takes a hit's outputs (`a`: an artifact for `p`'s key) into the local store,
 * or says why the artifact is a miss. Every check comes first; a blob is kept
 * only once all pass, and nothing is written into the tree here.
 */
export function acceptOutputs(scope: UnpackScope, p: PlannedJob, a: Artifact): Accepted<AcceptedOutputs> {
  try {
    return checkAndKeep(scope, p, a);
  } catch (err) {
    // runner's own I/O (the tree or the store unreadable, the disk full): a miss, and the job runs here.
    return refuse(`could not be checked or kept here (${err instanceof Error ? err.message : String(err)})`);
  }
}

function checkAndKeep(scope: UnpackScope, p: PlannedJob, a: Artifact): Accepted<AcceptedOutputs> {
  const declared = p.job.tool.config.outputs;
  const outs = a.header.outputs;
  if (a.header.status === 'failed' || declared.length === 0) {
    // A failure keeps no outputs, nor does a tool without them (outputs are in its latch, so in the key).
    return outs.length === 0 ? { ok: true, value: { outputs: [], bytes: 0 } } : refuse('outputs where none are kept');
  }
  const patterns = jobOutputPatterns(declared, p.job.path);
  const seen = new Set<string>();
  for (const o of outs) {
    const bad = pathProblem(scope, o.path);
    if (bad !== null) return refuse(`${o.path}: ${bad}`);
    if (seen.has(o.path)) return refuse(`${o.path} twice`);
    seen.add(o.path);
    if (!patterns.some((pattern) => namesOutput(pattern, o.path)))
      return refuse(`${o.path} is not among the tool's outputs`);
  }
  // As captureOutputs requires of a job that ran: every pattern names a file.
  for (const pattern of patterns)
    if (!outs.some((o) => namesOutput(pattern, o.path))) return refuse(`no output for ${pattern}`);
  for (const [i, o] of outs.entries())
    if (digestBytes(a.outputs[i]!) !== o.digest) return refuse(`${o.path}: its content does not hash to its digest`);
  // All checked: keep the content (storeBlob checks each digest again, as it does for any bytes from elsewhere).
  let bytes = 0;
  const outputs = outs.map((o, i) => {
    const data = a.outputs[i]!;
    bytes += data.length;
    const digest = storeBlob(scope.stateDir, data, o.digest as Digest);
    return { path: o.path as RelPath, mode: o.mode, digest, size: data.length };
  });
  return { ok: true, value: { outputs, bytes } };
}

const refuse = (problem: string): { ok: false; problem: string } => ({ ok: false, problem });

/**
 * Why an output path from elsewhere may not be written in the tree, or null:
 * it must be relative, plain (no `..`, `.` or empty part), outside .git and
 * the state directory, and no directory on its way may be a link out of the
 * tree (checked on disk without creating anything).
 */
function pathProblem(scope: UnpackScope, rel: string): string | null {
  if (rel === '' || rel.startsWith('/') || rel.includes('\\') || rel.includes('\0')) return 'not a relative path';
  const parts = rel.split('/');
  if (parts.some((x) => x === '' || x === '.' || x === '..')) return 'not a plain path inside the tree';
  if (parts.includes('.git')) return 'inside .git';
  const root = fs.realpathSync(scope.root);
  const abs = path.join(scope.root, rel);
  const state = path.resolve(scope.stateDir);
  if (abs === state || abs.startsWith(state + path.sep)) return 'inside the state directory';
  // The deepest directory on the way that exists, resolved: where the restore would really write.
  let dir = path.dirname(abs);
  while (fs.lstatSync(dir, { throwIfNoEntry: false }) === undefined) dir = path.dirname(dir);
  let real: string;
  try {
    real = fs.realpathSync(dir);
  } catch {
    return `${path.relative(scope.root, dir)} is a link to nowhere`;
  }
  if (real !== root && !real.startsWith(root + path.sep))
    return `would be written outside the source tree (through ${path.relative(scope.root, dir)})`;
  if (!fs.statSync(real).isDirectory()) return `${path.relative(scope.root, dir)} is not a directory`;
  return null;
}
