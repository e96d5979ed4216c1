// The local store of outputs, in the state directory: each file's content
// once, by digest (<stateDir>/outputs/<digest>), and each result's list of
// outputs (<stateDir>/outputs/lists/<fingerprint>.json: a job's results
// differ in fingerprint, and a result recorded again under the same one
// replaces the old). Written atomically (a temporary name, then a rename), so
// a runner killed mid-write leaves no half blob under a digest. The remote
// cache packs a result's outputs from here (readOutputList, blobPath).
import fs from 'node:fs';
import path from 'node:path';
import { digestBytes } from '../hash.js';
import { makeDirs } from '../make-dirs.js';
import { OUTPUTS_DIR } from '../state-dir.js';
import type { Digest, Fingerprint, RelPath } from '../types.js';

const LISTS_DIR = 'lists';
const LIST_VERSION = 1;

/** One file a job wrote: where (relative to the source tree), its permission bits, its content. */
export interface OutputEntry {
  path: RelPath;
  /** Permission bits (mode & 0o777): an executable script stays executable when restored. */
  mode: number;
  digest: Digest;
  size: number;
}

export const outputsDir = (stateDir: string): string => path.join(stateDir, OUTPUTS_DIR);
const listsDir = (stateDir: string): string => path.join(stateDir, OUTPUTS_DIR, LISTS_DIR);
export const blobPath = (stateDir: string, digest: Digest): string => path.join(outputsDir(stateDir), digest);
export const listPath = (stateDir: string, fingerprint: Fingerprint): string =>
  path.join(listsDir(stateDir), `${fingerprint}${LIST_SUFFIX}`);
const statCachePath = (stateDir: string, fingerprint: Fingerprint): string =>
  path.join(listsDir(stateDir), `${fingerprint}${STAT_SUFFIX}`);
const LIST_SUFFIX = '.json';
const STAT_SUFFIX = '.stat';

/** Numbers temporary names within this process (with its pid: no other process uses them). */
let temps = 0;

/** Writes `data` to `file` whole or not at all. */
export function writeAtomically(file: string, data: string | Uint8Array, mode = 0o644): void {
  const temp = path.join(path.dirname(file), `.tmp-${process.pid}-${++temps}`);
  try {
    fs.writeFileSync(temp, data, { mode });
    fs.chmodSync(temp, mode); // the umask narrowed what writeFileSync set
    fs.renameSync(temp, file);
  } catch (err) {
    removeQuietly(temp);
    throw err;
  }
}

/**
 * Keeps `data` under its digest, unless it is there already (content-addressed:
 * same digest, same bytes), and returns the digest. With `expected` (content
 * from elsewhere, a remote cache's artifact), bytes that do not hash to it are
 * refused: a blob is always what its name says.
 */
export function storeBlob(stateDir: string, data: Uint8Array, expected?: Digest): Digest {
  const digest = digestBytes(data);
  if (expected !== undefined && digest !== expected)
    throw new Error(`output content hashes to ${digest}, not to ${expected} as its list says`);
  const file = blobPath(stateDir, digest);
  if (fs.existsSync(file)) return digest;
  makeDirs(outputsDir(stateDir));
  writeAtomically(file, data, 0o444);
  return digest;
}

export function hasBlob(stateDir: string, digest: Digest): boolean {
  return fs.existsSync(blobPath(stateDir, digest));
}

export function writeOutputList(stateDir: string, fingerprint: Fingerprint, outputs: readonly OutputEntry[]): void {
  makeDirs(listsDir(stateDir));
  writeAtomically(listPath(stateDir, fingerprint), JSON.stringify({ version: LIST_VERSION, outputs }));
}

/** Whether any result ever kept outputs here (else there is no list to forget). */
export function hasOutputLists(stateDir: string): boolean {
  return fs.existsSync(listsDir(stateDir));
}

/** Forgets the outputs a result kept (their blobs go at the next sweep, another result may share them). */
export function removeOutputList(stateDir: string, fingerprint: Fingerprint): void {
  removeQuietly(listPath(stateDir, fingerprint));
  removeQuietly(statCachePath(stateDir, fingerprint));
}

/** A file's stat as this machine saw it: size, mtime, ctime, inode. */
export type OutputStat = [number, number, number, number];

/**
 * This machine's stat of a result's outputs when their content was last found
 * to be the kept one, and when: a no-op then stats them and reads none. Local
 * (inodes and times belong to this checkout): never part of a list.
 */
export interface StatCache {
  checkedAt: number;
  stats: Record<string, OutputStat>;
}

export function readStatCache(stateDir: string, fingerprint: Fingerprint): StatCache | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(statCachePath(stateDir, fingerprint), 'utf8')) as StatCache;
    return typeof parsed.checkedAt === 'number' && typeof parsed.stats === 'object' ? parsed : null;
  } catch {
    return null;
  }
}

/** A cache: one that cannot be written costs a read of the outputs next time, never a wrong answer. */
export function writeStatCache(stateDir: string, fingerprint: Fingerprint, cache: StatCache): void {
  try {
    makeDirs(listsDir(stateDir));
    writeAtomically(statCachePath(stateDir, fingerprint), JSON.stringify(cache));
  } catch {
    // read again next time
  }
}

/** The outputs kept with a result; null when none are kept (never captured, swept, or unreadable). */
export function readOutputList(stateDir: string, fingerprint: Fingerprint): OutputEntry[] | null {
  let text: string;
  try {
    text = fs.readFileSync(listPath(stateDir, fingerprint), 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = JSON.parse(text) as { version?: unknown; outputs?: unknown };
    if (parsed.version !== LIST_VERSION || !Array.isArray(parsed.outputs)) return null;
    return parsed.outputs.every(isEntry) ? parsed.outputs : null;
  } catch {
    return null; // a list that does not parse restores nothing: the job runs again
  }
}

function isEntry(e: unknown): e is OutputEntry {
  if (typeof e !== 'object' || e === null) return false;
  const o = e as Record<string, unknown>;
  return (
    typeof o.path === 'string' &&
    !o.path.startsWith('/') &&
    !o.path.split('/').includes('..') &&
    typeof o.mode === 'number' &&
    typeof o.digest === 'string' &&
    /^[0-9a-f]{32}$/.test(o.digest) &&
    typeof o.size === 'number'
  );
}

/**
 * Removes the lists of results no longer kept, then the blobs no kept list
 * names. Call with the lock held and no job running (as the logs' sweep):
 * then each such file is no one's. One that will not go is litter, never a
 * reason to stop a run.
 */
export function sweepOutputs(stateDir: string, keptFingerprints: () => ReadonlySet<string>): void {
  let lists: string[];
  let blobs: string[];
  try {
    lists = fs.readdirSync(listsDir(stateDir));
    blobs = fs.readdirSync(outputsDir(stateDir));
  } catch {
    return; // no tool ever kept outputs here: nothing to sweep, and the results are not walked
  }
  const kept = keptFingerprints();
  const named = new Set<string>();
  for (const name of lists) {
    const suffix = [LIST_SUFFIX, STAT_SUFFIX].find((x) => name.endsWith(x));
    const fingerprint = suffix === undefined ? null : name.slice(0, -suffix.length);
    if (fingerprint === null || !kept.has(fingerprint)) {
      removeQuietly(path.join(listsDir(stateDir), name));
      continue;
    }
    if (suffix === STAT_SUFFIX) continue;
    const list = readOutputList(stateDir, fingerprint as Fingerprint);
    for (const e of list ?? []) named.add(e.digest);
  }
  for (const name of blobs) {
    if (name === LISTS_DIR || named.has(name)) continue;
    removeQuietly(path.join(outputsDir(stateDir), name));
  }
}

/** unlink, not rm: every name here is a file, and fs.rmSync loads a module of its own at first use. */
function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // gone already, or it stays until the next sweep, or `runner clean`
  }
}
