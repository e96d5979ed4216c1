// Loads the manifest from the store in one read, adopts scan changes, and
// writes them back in one transaction; journals each job result as it lands
// and folds the journal into the snapshot when the run ends.
import { type LatchRow, RESULT_HISTORY, type RawResultRow, Store } from '../store/index.js';
import type { Digest, Fingerprint, LatchId, RelPath } from '../types.js';
import { decodeDirs, decodeFiles, decodeResults, encodeDirs, encodeFiles, encodeResults } from './codec.js';
import type { DirListing, FileEntry, JobResult, ResultStatus, ScanUpdate, ToolLatch } from './model.js';

const META_THRESHOLD = 'racy_threshold_ms';
/** The snapshots the manifest itself reads and writes. */
const CORE_SNAPSHOTS = new Set(['files', 'dirs', 'results']);
const META_WALK_SPEC = 'walk_spec';
const NO_RESULTS: readonly JobResult[] = [];

/** A job's results, newest first; nearly every job has one, kept without an array. */
type Stored = JobResult | JobResult[];
const listOf = (v: Stored): JobResult[] => (Array.isArray(v) ? v : [v]);

export class Manifest {
  files = new Map<RelPath, FileEntry>();
  dirs = new Map<RelPath, DirListing>();
  /** Per tool, per file: results newest first. */
  readonly results = new Map<string, Map<RelPath, Stored>>();
  /** Entries with mtime or ctime at or after this may have changed unseen (git's racy rule). */
  racyThresholdMs = 0;
  walkSpec: string | null = null;
  private readonly latchJson = new Map<string, string>();
  private readonly latchCache = new Map<string, ToolLatch>();
  private readonly newLatches = new Map<string, string>();
  private pending: ScanUpdate | null = null;
  /** Snapshots other stages keep (the deps stage's import cache), and which changed. */
  private readonly blobs = new Map<string, Buffer>();
  private readonly changedBlobs = new Set<string>();
  /** Results were pruned: the results snapshot must be rewritten. */
  private resultsDirty = false;
  /** Results in the journal, not yet folded into the snapshot. */
  private journalRows = 0;
  private resultCount = 0;
  /** Results pushed out of a history while replaying the journal; their logs go at the next save. */
  private droppedOnLoad: JobResult[] = [];

  private constructor(private readonly store: Store) {}

  /** Opens the store (creating it when absent) and loads it in one read. */
  static open(file: string): Manifest {
    const store = Store.open(file);
    try {
      return Manifest.load(store);
    } catch (err) {
      store.close();
      throw err;
    }
  }

  private static load(store: Store): Manifest {
    const m = new Manifest(store);
    const state = store.read();
    m.racyThresholdMs = Number(state.meta.get(META_THRESHOLD) ?? 0);
    m.walkSpec = state.meta.get(META_WALK_SPEC) ?? null;
    const files = state.snapshots.get('files');
    if (files !== undefined) decodeFiles(files, m.files);
    const dirs = state.snapshots.get('dirs');
    if (dirs !== undefined) decodeDirs(dirs, m.dirs);
    for (const [id, json] of state.latches) m.latchJson.set(id, json);
    for (const [name, data] of state.snapshots) if (!CORE_SNAPSHOTS.has(name)) m.blobs.set(name, data);
    const results = state.snapshots.get('results');
    if (results !== undefined) {
      decodeResults(results, (r) => {
        const byPath = m.byPath(r.tool);
        const known = byPath.get(r.path);
        if (known === undefined) byPath.set(r.path, r);
        else if (Array.isArray(known)) known.unshift(r);
        else byPath.set(r.path, [r, known]);
        m.resultCount++;
      });
    }
    for (const row of state.journal) m.droppedOnLoad.push(...m.remember(fromJournal(row)));
    m.journalRows = state.journal.length;
    return m;
  }

  get path(): string {
    return this.store.path;
  }

  private byPath(tool: string): Map<RelPath, Stored> {
    let byPath = this.results.get(tool);
    if (byPath === undefined) this.results.set(tool, (byPath = new Map()));
    return byPath;
  }

  latch(id: LatchId): ToolLatch | undefined {
    let latch = this.latchCache.get(id);
    if (latch === undefined) {
      const json = this.latchJson.get(id) ?? this.newLatches.get(id);
      if (json === undefined) return undefined;
      latch = JSON.parse(json) as ToolLatch;
      this.latchCache.set(id, latch);
    }
    return latch;
  }

  /** Makes a latch known, so results can refer to it; written with the first result that does. */
  addLatch(id: LatchId, latch: ToolLatch): void {
    if (!this.latchJson.has(id) && !this.newLatches.has(id)) this.newLatches.set(id, JSON.stringify(latch));
    this.latchCache.set(id, latch);
  }

  /** A snapshot another stage keeps in the manifest (written with the next save or flush). */
  blob(name: string): Buffer | undefined {
    return this.blobs.get(name);
  }

  setBlob(name: string, data: Buffer): void {
    if (CORE_SNAPSHOTS.has(name)) throw new Error(`snapshot ${name} belongs to the manifest`);
    this.blobs.set(name, data);
    this.changedBlobs.add(name);
  }

  history(tool: string, path: RelPath): readonly JobResult[] {
    const v = this.results.get(tool)?.get(path);
    return v === undefined ? NO_RESULTS : listOf(v);
  }

  /** The most recent result, without building a list. */
  latest(tool: string, path: RelPath): JobResult | undefined {
    const v = this.results.get(tool)?.get(path);
    return Array.isArray(v) ? v[0] : v;
  }

  adoptScan(update: ScanUpdate): void {
    this.files = update.files;
    this.dirs = update.dirs;
    this.pending = update;
  }

  /**
   * Writes the adopted scan and drops results no current or kept job can use
   * (removed files, removed tools, files a tool no longer selects). Returns the
   * dropped results whose logs no kept result names: the caller deletes those.
   */
  save(isJob: (tool: string, path: RelPath) => boolean): JobResult[] {
    const u = this.pending;
    this.pending = null;
    const dropped = this.droppedOnLoad;
    this.droppedOnLoad = [];
    if (u !== null) {
      const isKept = (p: RelPath): boolean => u.keptPaths.has(p) || u.keptDirs.some((d) => p.startsWith(d + '/'));
      for (const [tool, byPath] of this.results) {
        for (const [path, stored] of byPath) {
          if (isJob(tool, path) || (!this.files.has(path) && isKept(path))) continue;
          dropped.push(...listOf(stored));
          byPath.delete(path);
          this.resultsDirty = true;
        }
        if (byPath.size === 0) this.results.delete(tool);
      }
    }
    const scanChanged = u !== null && (u.changedFiles.length > 0 || u.removedFiles.length > 0 || u.hadRacy
      || u.changedDirs.length > 0 || u.removedDirs.length > 0 || this.walkSpec !== u.walkSpec);
    if (!scanChanged && !this.resultsDirty && this.changedBlobs.size === 0) return this.unreferenced(dropped);
    const meta: [string, string][] = [];
    const snapshots: [string, Buffer][] = [];
    if (u !== null && scanChanged) {
      meta.push([META_THRESHOLD, String(u.scanStartedMs)], [META_WALK_SPEC, u.walkSpec]);
      this.racyThresholdMs = u.scanStartedMs;
      this.walkSpec = u.walkSpec;
      if (u.changedFiles.length > 0 || u.removedFiles.length > 0) snapshots.push(['files', encodeFiles(this.files)]);
      if (u.changedDirs.length > 0 || u.removedDirs.length > 0) snapshots.push(['dirs', encodeDirs(this.dirs)]);
    }
    this.writeWith(meta, snapshots);
    return this.unreferenced(dropped);
  }

  /**
   * Of dropped results, those whose log no kept result still names. A log is
   * named after its fingerprint, and a rerun under the same fingerprint takes
   * over the file: replaying the journal drops results again that were
   * dropped and re-recorded long ago (issue 10: their logs were deleted under
   * the live result, which then re-ran on every invocation).
   */
  private unreferenced(dropped: readonly JobResult[]): JobResult[] {
    return dropped.filter((r) => !this.history(r.tool, r.path).some((k) => k.fingerprint === r.fingerprint));
  }

  /**
   * Call when a run ends: folds the journal into the results snapshot once it
   * has grown (an eighth of all results, at least 1024 rows), so one changed
   * file does not rewrite every result; loading replays a short journal.
   */
  flush(): void {
    if (this.resultsDirty || this.journalRows >= Math.max(1024, this.resultCount / 8)) {
      this.resultsDirty = true;
      this.writeWith([], []);
    } else if (this.changedBlobs.size > 0) {
      this.writeWith([], []);
    }
  }

  private writeWith(meta: [string, string][], snapshots: [string, Buffer][]): void {
    const deleteLatches: string[] = [];
    for (const name of this.changedBlobs) snapshots.push([name, this.blobs.get(name)!]);
    this.changedBlobs.clear();
    if (this.resultsDirty) {
      snapshots.push(['results', encodeResults(this.allResultsOldestFirst())]);
      const referenced = new Set<string>();
      for (const byPath of this.results.values()) for (const v of byPath.values()) for (const r of listOf(v)) referenced.add(r.latchId);
      for (const id of this.latchJson.keys()) if (!referenced.has(id)) deleteLatches.push(id);
    }
    const folding = this.resultsDirty;
    this.store.write({ meta, snapshots, deleteLatches, clearJournal: folding && this.journalRows > 0 });
    for (const id of deleteLatches) {
      this.latchJson.delete(id);
      this.latchCache.delete(id);
    }
    if (folding) {
      this.resultsDirty = false;
      this.journalRows = 0;
      this.resultCount = 0;
      for (const byPath of this.results.values()) for (const v of byPath.values()) this.resultCount += Array.isArray(v) ? v.length : 1;
    }
  }

  private *allResultsOldestFirst(): Generator<JobResult> {
    for (const byPath of this.results.values()) {
      for (const v of byPath.values()) {
        if (!Array.isArray(v)) yield v;
        else for (let i = v.length - 1; i >= 0; i--) yield v[i]!;
      }
    }
  }

  /** Puts a result at the head of its job's history; returns what the bounded history pushed out. */
  private remember(result: JobResult): JobResult[] {
    const byPath = this.byPath(result.tool);
    const known = byPath.get(result.path);
    const list = known === undefined ? [] : listOf(known);
    const same = list.findIndex((r) => r.fingerprint === result.fingerprint);
    if (same >= 0) list.splice(same, 1); // a rerun under the same fingerprint replaces the old result
    list.unshift(result);
    const dropped = list.splice(RESULT_HISTORY);
    byPath.set(result.path, list.length === 1 ? result : list);
    return dropped;
  }

  /**
   * Records one finished job at once (an interrupted run keeps it). Returns
   * the results its job's bounded history dropped, oldest first, whose logs
   * the caller deletes.
   */
  recordResult(result: JobResult): JobResult[] {
    const dropped = this.remember(result);
    const json = this.newLatches.get(result.latchId);
    const latch: LatchRow | null = json === undefined ? null : [result.latchId, json];
    this.store.appendResult(toJournal(result), latch);
    if (json !== undefined) {
      this.newLatches.delete(result.latchId);
      this.latchJson.set(result.latchId, json);
    }
    this.journalRows++;
    this.resultCount += 1 - dropped.length;
    return this.unreferenced(dropped);
  }

  close(): void {
    this.store.close();
  }
}

function fromJournal(r: RawResultRow): JobResult {
  return {
    tool: r[0], path: r[1] as RelPath, fingerprint: r[2] as Fingerprint, latchId: r[3] as LatchId, digest: r[4] as Digest,
    status: r[5] as ResultStatus, exitCode: r[6], signal: r[7], timedOut: r[8] === 1, durationMs: r[9], hasLog: r[10] === 1, finishedAt: r[11],
    depsDigest: r[12], deps: r[13],
  };
}

function toJournal(r: JobResult): RawResultRow {
  return [r.tool, r.path, r.fingerprint, r.latchId, r.digest, r.status, r.exitCode, r.signal, r.timedOut ? 1 : 0, r.durationMs, r.hasLog ? 1 : 0, r.finishedAt, r.depsDigest, r.deps];
}
