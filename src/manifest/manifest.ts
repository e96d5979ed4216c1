// Loads the manifest from the store in one read, adopts scan changes, and
// writes them back in one transaction; journals each job result as it lands
// and folds the journal into the snapshot when the run ends.
import { type LatchRow, RESULT_HISTORY, type RawResultRow, Store } from '../store/index.js';
import type { Digest, Fingerprint, LatchId, RelPath } from '../types.js';
import { decodeDirs, decodeFiles, decodeResults, encodeDirs, encodeFiles, encodeResults } from './codec.js';
import type { DirListing, FileEntry, JobResult, ResultStatus, ScanUpdate, ToolLatch } from './model.js';

const META_THRESHOLD = 'racy_threshold_ms';
const META_WALK_SPEC = 'walk_spec';
const NO_RESULTS: readonly JobResult[] = [];

export class Manifest {
  files = new Map<RelPath, FileEntry>();
  dirs = new Map<RelPath, DirListing>();
  /** Per tool, per file: results newest first. */
  readonly results = new Map<string, Map<RelPath, JobResult[]>>();
  /** Entries with mtime or ctime at or after this may have changed unseen (git's racy rule). */
  racyThresholdMs = 0;
  walkSpec: string | null = null;
  private readonly latchJson = new Map<string, string>();
  private readonly latchCache = new Map<string, ToolLatch>();
  private readonly newLatches = new Map<string, string>();
  private pending: ScanUpdate | null = null;
  /** Results changed since the last snapshot (journalled, dropped, or pruned). */
  private resultsDirty = false;
  private journalled = false;
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
    const results = state.snapshots.get('results');
    if (results !== undefined) decodeResults(results, (r) => m.jobResults(r.tool, r.path).unshift(r));
    for (const row of state.journal) m.droppedOnLoad.push(...m.remember(fromJournal(row)));
    if (state.journal.length > 0) {
      m.resultsDirty = true;
      m.journalled = true;
    }
    return m;
  }

  get path(): string {
    return this.store.path;
  }

  private jobResults(tool: string, path: RelPath): JobResult[] {
    let byPath = this.results.get(tool);
    if (byPath === undefined) this.results.set(tool, (byPath = new Map()));
    let list = byPath.get(path);
    if (list === undefined) byPath.set(path, (list = []));
    return list;
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

  history(tool: string, path: RelPath): readonly JobResult[] {
    return this.results.get(tool)?.get(path) ?? NO_RESULTS;
  }

  adoptScan(update: ScanUpdate): void {
    this.files = update.files;
    this.dirs = update.dirs;
    this.pending = update;
  }

  /**
   * Writes the adopted scan and drops results no current or kept job can use
   * (removed files, removed tools, files a tool no longer selects). Returns the
   * dropped results, whose logs the caller deletes.
   */
  save(isJob: (tool: string, path: RelPath) => boolean): JobResult[] {
    const u = this.pending;
    this.pending = null;
    const dropped = this.droppedOnLoad;
    this.droppedOnLoad = [];
    if (u !== null) {
      const isKept = (p: RelPath): boolean => u.keptPaths.has(p) || u.keptDirs.some((d) => p.startsWith(d + '/'));
      for (const [tool, byPath] of this.results) {
        for (const [path, list] of byPath) {
          if (isJob(tool, path) || (!this.files.has(path) && isKept(path))) continue;
          dropped.push(...list);
          byPath.delete(path);
          this.resultsDirty = true;
        }
        if (byPath.size === 0) this.results.delete(tool);
      }
    }
    const scanChanged = u !== null && (u.changedFiles.length > 0 || u.removedFiles.length > 0 || u.hadRacy
      || u.changedDirs.length > 0 || u.removedDirs.length > 0 || this.walkSpec !== u.walkSpec);
    if (!scanChanged && !this.resultsDirty) return dropped;
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
    return dropped;
  }

  /** Folds journalled results into the snapshot; call when a run ends. */
  flush(): void {
    if (this.resultsDirty) this.writeWith([], []);
  }

  private writeWith(meta: [string, string][], snapshots: [string, Buffer][]): void {
    const deleteLatches: string[] = [];
    if (this.resultsDirty) {
      snapshots.push(['results', encodeResults(this.allResultsOldestFirst())]);
      const referenced = new Set<string>();
      for (const byPath of this.results.values()) for (const list of byPath.values()) for (const r of list) referenced.add(r.latchId);
      for (const id of this.latchJson.keys()) if (!referenced.has(id)) deleteLatches.push(id);
    }
    this.store.write({ meta, snapshots, deleteLatches, clearJournal: this.journalled });
    for (const id of deleteLatches) {
      this.latchJson.delete(id);
      this.latchCache.delete(id);
    }
    this.resultsDirty = false;
    this.journalled = false;
  }

  private *allResultsOldestFirst(): Generator<JobResult> {
    for (const byPath of this.results.values()) {
      for (const list of byPath.values()) for (let i = list.length - 1; i >= 0; i--) yield list[i]!;
    }
  }

  /** Puts a result at the head of its job's history; returns what the bounded history pushed out. */
  private remember(result: JobResult): JobResult[] {
    const list = this.jobResults(result.tool, result.path);
    const same = list.findIndex((r) => r.fingerprint === result.fingerprint);
    if (same >= 0) list.splice(same, 1); // a rerun under the same fingerprint replaces the old result
    list.unshift(result);
    return list.splice(RESULT_HISTORY);
  }

  /**
   * Records one finished job at once (an interrupted run keeps it). Returns
   * the results its job's bounded history dropped, oldest first.
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
    this.resultsDirty = true;
    this.journalled = true;
    return dropped;
  }

  close(): void {
    this.store.close();
  }
}

function fromJournal(r: RawResultRow): JobResult {
  return {
    tool: r[0], path: r[1] as RelPath, fingerprint: r[2] as Fingerprint, latchId: r[3] as LatchId, digest: r[4] as Digest,
    status: r[5] as ResultStatus, exitCode: r[6], signal: r[7], timedOut: r[8] === 1, durationMs: r[9], finishedAt: r[10],
  };
}

function toJournal(r: JobResult): RawResultRow {
  return [r.tool, r.path, r.fingerprint, r.latchId, r.digest, r.status, r.exitCode, r.signal, r.timedOut ? 1 : 0, r.durationMs, r.finishedAt];
}
