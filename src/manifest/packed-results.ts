// The results snapshot kept packed after loading: a result becomes a JobResult
// object only when something asks for it (issue 17 point 1). A no-op compares
// each job's latest result in place (holds), so 100,000 results cost their
// paths and one index each, not 100,000 objects for the collector to copy.
// Their digests stay bytes, as stored (6.4 MB for 100,000 results, where
// their hex was one 12.8-million-character string): holds() compares a
// digest's hex with them digit by digit.
import { endFromFlat } from '../job-end.js';
import type { Digest, Fingerprint, LatchId, RelPath } from '../types.js';
import type { JobResult, ResultStatus, UnjudgedStop } from './model.js';
import { unpack } from './packed-layout.js';
import { UNKNOWN_DEPS } from './recorded-deps.js';

/** Width of every digest, fingerprint and latch id (hash.ts), in hex digits and in bytes. */
export const HEX = 32;
const BYTES = HEX / 2;
/** The character codes of the lowercase hex digits, as hash.ts and Buffer's 'hex' write them. */
const DIGITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Whether `hex` spells the BYTES bytes at `at` (lowercase, as every digest is written): read in place. */
export function spellsBytes(hex: string, bytes: Uint8Array, at: number): boolean {
  if (hex.length !== HEX) return false;
  for (let k = 0; k < BYTES; k++) {
    const b = bytes[at + k]!;
    if (hex.charCodeAt(2 * k) !== DIGITS[b >> 4] || hex.charCodeAt(2 * k + 1) !== DIGITS[b & 15]) return false;
  }
  return true;
}

/** Results layouts, told apart by their numbers per entry: 5 (schema 1), 6 (schema 2: dependencies), 8 (schema 3: last use, log size). */
export const RESULTS_V1 = 5;
export const RESULTS_V2 = 6;
export const RESULTS_V3 = 8;
export const STATUSES: readonly ResultStatus[] = ['passed', 'failed', 'interrupted'];
/** Whether a result has a dependencies digest: none, a digest, or UNKNOWN_DEPS (stored as the flag, its digest place left zero). */
export const DEPS_NONE = 0;
export const DEPS_DIGEST = 1;
export const DEPS_UNKNOWN = 2;
/** Flag bits (codec.ts writes them): 1 timed out, 2 has a log, 4 restored from the remote cache, 8 a remote miss, 16 and up unjudged. */
const HAS_LOG = 2;
const PASSED = 0;

/** An unjudged result's stop, from the flags above their named bits (codec.ts, unjudgedBits). */
export function unjudgedOf(bits: number): { unjudged?: UnjudgedStop } {
  if (!(bits > 0)) return {};
  const v = bits - 1;
  return { unjudged: { kind: v % 2 === 1 ? 'dense' : 'budget', processes: Math.floor(v / 2) } };
}

export class PackedResults {
  /** Results whose four digests are all there (see decode). */
  readonly count: number;
  private readonly tools: string[];
  private readonly paths: RelPath[];
  /** Where each result's text fields start in `text` (texts per result, then one past the end). */
  private readonly starts: Int32Array;
  private readonly texts: number;
  private readonly hexes: number;

  private constructor(
    private readonly width: number,
    private readonly numbers: Float64Array,
    private readonly text: string,
    private readonly digests: Buffer,
    count: number,
  ) {
    this.texts = width === RESULTS_V1 ? 3 : 4;
    this.hexes = width === RESULTS_V1 ? 3 : 4;
    // Snapshots written before UNKNOWN_DEPS had its flag lost every digest after the first such result:
    // those results are dropped (their jobs run again), never kept with empty fingerprints.
    this.count = Math.min(count, Math.floor(digests.length / (this.hexes * BYTES)));
    this.tools = new Array<string>(this.count);
    this.paths = new Array<RelPath>(this.count);
    this.starts = new Int32Array(this.count * this.texts + 1);
    let at = 0;
    let tool = ''; // one string per run of results of one tool, not one per result
    for (let i = 0; i < this.count; i++) {
      const t = i * this.texts;
      const toolEnd = this.fieldEnd(at);
      if (!(toolEnd - at === tool.length && text.startsWith(tool, at))) tool = text.slice(at, toolEnd);
      this.tools[i] = tool;
      this.starts[t] = at;
      at = toolEnd + 1;
      const pathEnd = this.fieldEnd(at);
      this.paths[i] = text.slice(at, pathEnd) as RelPath;
      this.starts[t + 1] = at;
      at = pathEnd + 1;
      for (let k = 2; k < this.texts; k++) {
        this.starts[t + k] = at;
        at = this.fieldEnd(at) + 1;
      }
    }
    this.starts[this.count * this.texts] = at;
  }

  private fieldEnd(at: number): number {
    const end = this.text.indexOf('\0', at);
    return end < 0 ? this.text.length : end;
  }

  static decode(buf: Buffer): PackedResults {
    const { count, numbersPer: width, numbers, text, digests } = unpack(buf, [RESULTS_V1, RESULTS_V2, RESULTS_V3]);
    // A copy: the view would keep the whole blob (numbers and texts, copied already) alive.
    return new PackedResults(width, numbers, text, Buffer.from(digests), count);
  }

  toolAt(i: number): string {
    return this.tools[i]!;
  }

  pathAt(i: number): RelPath {
    return this.paths[i]!;
  }

  /** Names result i's path by an equal string kept elsewhere (the file table's), so its own copy can go. */
  sharePath(i: number, path: RelPath): void {
    if (this.paths[i] === path) this.paths[i] = path;
  }

  private field(i: number, k: number): string {
    const s = this.starts[i * this.texts + k]!;
    return this.text.slice(s, this.starts[i * this.texts + k + 1]! - 1);
  }

  private depsFlag(i: number): number {
    return this.width === RESULTS_V1 ? DEPS_NONE : this.numbers[i * this.width + 5]!;
  }

  /**
   * Whether result i passed, ran under this latch, file digest and dependencies
   * digest, and its log (if it has one) is there (isLogged, by its file name):
   * what the plan's common case asks of a job's latest result, answered
   * without building it.
   */
  holds(
    i: number,
    latchId: string,
    digest: string,
    depsDigest: string,
    isLogged: (logName: string) => boolean,
  ): boolean {
    const j = i * this.width;
    if (this.numbers[j] !== PASSED) return false;
    const h = i * this.hexes * BYTES;
    if (!this.depsHold(i, h, depsDigest)) return false;
    if (!spellsBytes(latchId, this.digests, h + BYTES)) return false;
    if (!spellsBytes(digest, this.digests, h + 2 * BYTES)) return false;
    // The log's name is the result's (model.ts logFileName): built only for a result that has one.
    return (this.numbers[j + 2]! & HAS_LOG) === 0 || isLogged(`${this.hexAt(h)}-${this.numbers[j + 4]!}.log`);
  }

  private hexAt(h: number): string {
    return this.digests.toString('hex', h, h + BYTES);
  }

  private depsHold(i: number, h: number, depsDigest: string): boolean {
    const flag = this.depsFlag(i);
    if (flag === DEPS_NONE) return depsDigest === '';
    if (flag === DEPS_UNKNOWN) return depsDigest === UNKNOWN_DEPS;
    return spellsBytes(depsDigest, this.digests, h + 3 * BYTES);
  }

  /** Result i as an object (built anew on each call: the manifest keeps the one it hands out). */
  result(i: number): JobResult {
    const width = this.width;
    const n = this.numbers;
    const j = i * width;
    const h = i * this.hexes * BYTES;
    const exitCode = n[j + 1]!;
    const signal = this.field(i, 2);
    const depsFlag = this.depsFlag(i);
    const hasDeps = depsFlag !== DEPS_NONE;
    const finishedAt = n[j + 4]!;
    const status = STATUSES[n[j]!]!;
    const flags = n[j + 2]!;
    return {
      tool: this.tools[i]!,
      path: this.paths[i]!,
      status,
      end: endFromFlat(
        status,
        Number.isNaN(exitCode) ? null : exitCode,
        signal === '' ? null : signal,
        (flags & 1) !== 0,
      ),
      hasLog: (flags & HAS_LOG) !== 0,
      ...((flags & 4) !== 0 ? { remote: true as const } : {}),
      ...((flags & 8) !== 0 ? { remoteMiss: true as const } : {}),
      ...unjudgedOf(Math.floor(flags / 16)),
      durationMs: n[j + 3]!,
      finishedAt,
      usedAt: width === RESULTS_V3 ? n[j + 6]! : finishedAt,
      logBytes: width === RESULTS_V3 ? n[j + 7]! : 0,
      fingerprint: this.hexAt(h) as Fingerprint,
      latchId: this.hexAt(h + BYTES) as LatchId,
      digest: this.hexAt(h + 2 * BYTES) as Digest,
      depsDigest: depsFlag === DEPS_UNKNOWN ? UNKNOWN_DEPS : hasDeps ? this.hexAt(h + 3 * BYTES) : '',
      deps: hasDeps ? this.field(i, 3) : '',
    };
  }

  /** The log size of result i, for the manifest's bounds, without building it. */
  logBytesAt(i: number): number {
    return this.width === RESULTS_V3 ? this.numbers[i * this.width + 7]! : 0;
  }
}
