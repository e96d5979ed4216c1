// Loads the manifest from the store in one read, adopts scan changes, and
// writes them back in one transaction; records each job result as it lands.
import { type LatchRow, RESULT_HISTORY, type RawResultRow, type ResultRow, Store } from '../store/index.js';
import type { Digest, Fingerprint, LatchId, RelPath } from '../types.js';
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
  private pending: ScanUpdate | null = null;
  private readonly newLatches = new Map<string, string>();

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
    // sqlite hands out a fresh string per row; share the few distinct ones.
    const interned = new Map<string, string>();
    const intern = <T extends string>(s: T): T => {
      const known = interned.get(s);
      if (known !== undefined) return known as T;
      interned.set(s, s);
      return s;
    };
    store.read({
      meta: (key, value) => {
        if (key === META_THRESHOLD) m.racyThresholdMs = Number(value);
        else if (key === META_WALK_SPEC) m.walkSpec = value;
      },
      file: ([path, size, mtimeMs, ctimeMs, ino, digest]) => {
        m.files.set(path as RelPath, { size, mtimeMs, ctimeMs, ino, digest: digest as Digest });
      },
      dir: ([path, mtimeMs, ctimeMs, ino, files, subdirs]) => {
        m.dirs.set(path as RelPath, { mtimeMs, ctimeMs, ino, files: splitNames(files), subdirs: splitNames(subdirs) });
      },
      latch: ([id, json]) => {
        m.latchJson.set(id, json);
      },
      result: (row) => {
        const r = fromRaw(row, intern);
        const list = m.jobResults(r.tool, r.path, true);
        list.unshift(r); // rows come oldest first
      },
    });
    return m;
  }

  get path(): string {
    return this.store.path;
  }

  private jobResults(tool: string, path: RelPath, create: true): JobResult[];
  private jobResults(tool: string, path: RelPath, create: false): JobResult[] | undefined;
  private jobResults(tool: string, path: RelPath, create: boolean): JobResult[] | undefined {
    let byPath = this.results.get(tool);
    if (byPath === undefined) {
      if (!create) return undefined;
      byPath = new Map();
      this.results.set(tool, byPath);
    }
    let list = byPath.get(path);
    if (list === undefined && create) {
      list = [];
      byPath.set(path, list);
    }
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
    const dropped: JobResult[] = [];
    if (u !== null) {
      const isKept = (p: RelPath): boolean =>
        u.keptPaths.has(p) || u.keptDirs.some((d) => p.startsWith(d + '/'));
      for (const [tool, byPath] of this.results) {
        for (const [path, list] of byPath) {
          if (isJob(tool, path) || (!this.files.has(path) && isKept(path))) continue;
          dropped.push(...list);
          byPath.delete(path);
        }
        if (byPath.size === 0) this.results.delete(tool);
      }
    }
    const referenced = new Set<string>();
    for (const byPath of this.results.values()) for (const list of byPath.values()) for (const r of list) referenced.add(r.latchId);
    const deleteLatches = [...this.latchJson.keys()].filter((id) => !referenced.has(id));
    const moveThreshold = u !== null && (u.changedFiles.length > 0 || u.removedFiles.length > 0 || u.hadRacy
      || u.changedDirs.length > 0 || u.removedDirs.length > 0 || this.walkSpec !== u.walkSpec);
    if (!moveThreshold && dropped.length === 0 && deleteLatches.length === 0) return dropped;
    const meta: [string, string][] = [];
    if (u !== null && moveThreshold) {
      meta.push([META_THRESHOLD, String(u.scanStartedMs)], [META_WALK_SPEC, u.walkSpec]);
      this.racyThresholdMs = u.scanStartedMs;
      this.walkSpec = u.walkSpec;
    }
    this.store.write({
      meta,
      upsertFiles: (u?.changedFiles ?? []).flatMap((p) => {
        const f = this.files.get(p);
        return f === undefined ? [] : [[p, f.size, f.mtimeMs, f.ctimeMs, f.ino, f.digest]];
      }),
      deleteFiles: u?.removedFiles ?? [],
      upsertDirs: (u?.changedDirs ?? []).flatMap((p) => {
        const d = this.dirs.get(p);
        return d === undefined ? [] : [[p, d.mtimeMs, d.ctimeMs, d.ino, d.files.join('/'), d.subdirs.join('/')]];
      }),
      deleteDirs: u?.removedDirs ?? [],
      insertLatches: [],
      deleteLatches,
      deleteResults: dropped.map((r) => r.fingerprint),
    });
    for (const id of deleteLatches) {
      this.latchJson.delete(id);
      this.latchCache.delete(id);
    }
    return dropped;
  }

  /**
   * Records one finished job at once (an interrupted run keeps it). A rerun
   * under the same fingerprint replaces the old result; the history is
   * bounded, oldest dropped first. Returns the dropped results.
   */
  recordResult(result: JobResult): JobResult[] {
    const list = this.jobResults(result.tool, result.path, true);
    const same = list.findIndex((r) => r.fingerprint === result.fingerprint);
    if (same >= 0) list.splice(same, 1);
    list.unshift(result);
    const dropped = list.splice(RESULT_HISTORY);
    const json = this.newLatches.get(result.latchId);
    const latch: LatchRow | null = json === undefined ? null : [result.latchId, json];
    this.store.recordResult(toRow(result), latch, dropped.map((r) => r.fingerprint));
    if (json !== undefined) {
      this.newLatches.delete(result.latchId);
      this.latchJson.set(result.latchId, json);
    }
    return dropped;
  }

  close(): void {
    this.store.close();
  }
}

function splitNames(s: string): string[] {
  return s === '' ? [] : s.split('/');
}

function fromRaw(r: RawResultRow, intern: <T extends string>(s: T) => T): JobResult {
  return {
    tool: intern(r[0]), path: r[1] as RelPath, fingerprint: r[2] as Fingerprint, latchId: intern(r[3] as LatchId),
    digest: r[4] as Digest, status: intern(r[5] as ResultStatus), exitCode: r[6], signal: r[7],
    timedOut: r[8] === 1, durationMs: r[9], log: r[10], finishedAt: r[11],
  };
}

function toRow(r: JobResult): ResultRow {
  return {
    tool: r.tool, path: r.path, fingerprint: r.fingerprint, latch: r.latchId, digest: r.digest, status: r.status,
    exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, durationMs: r.durationMs, log: r.log, finishedAt: r.finishedAt,
  };
}
