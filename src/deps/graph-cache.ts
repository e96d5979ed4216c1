// Keeps a dependency graph from one run to the next, for any deps kind that
// resolves imports: each file's direct dependencies as resolved, and each
// job's dependency digest. A run reuses them only on proof that recomputing
// would give the same: the same code, key and source tree; the same tracked
// paths (which isTracked answers); the same answers from the file system
// (consulted.ts); and, for the digests, the same tracked digests, the same
// identities of the outside files and the same stat identity of every file
// followed outside the tracked set. Anything else recomputes. Knows nothing of
// the manifest: the caller stores the snapshots keep() returns.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashString } from '../hash.js';
import { type FileEntry, eachDigest } from '../manifest/index.js';
import type { RelPath } from '../types.js';
import { type Consulted, RecordingFs, consultedUnchanged, decodeConsulted, encodeConsulted } from './consulted.js';
import type { DirectDeps } from './direct-deps.js';
import { DepGraph, LazyDirect } from './graph.js';
import { statIdentity } from './stat-identity.js';

// zlib loads with the first kept graph (about 1 ms): a run whose tools declare no deps never needs it.
let zlibLoaded: typeof import('node:zlib') | undefined;
const zlib = (): typeof import('node:zlib') =>
  (zlibLoaded ??= createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib'));

/** Bump when the snapshots' layout changes. */
const FORMAT = 2;

/** The stat of a followed file that proves nothing (it was racy when read): the digests cannot hold. */
const RACY = '?';

/** The two snapshots a kept graph lives in; the direct dependencies are read only when needed. */
export interface GraphSnapshots {
  header: Buffer | undefined;
  direct: () => Buffer | undefined;
}

export interface GraphCacheInput {
  /** What else the graph depends on (an interpreter and its environment); code, Node's version and the source tree are added here. */
  key: string;
  sourceTree: string;
  /** The HOME the graph's digests name files below as `~/` (portable-path.ts); part of the key. */
  home: string | undefined;
  files: ReadonlyMap<RelPath, FileEntry>;
  /** The identity jobs' digests give a file outside the tree, as the digests were computed. */
  externalId: (abs: string) => string;
}

interface Header {
  format: number;
  key: string;
  /** Hash of the tracked paths, in the manifest's order (which fixes the order of `digests`). */
  paths: string;
  /** Hash of the tracked paths with their digests. */
  contents: string;
  consulted: ReturnType<typeof encodeConsulted>;
  /** Every outside file a dependency resolved to, with its identity then. */
  externals: [string, string][];
  /**
   * Every file followed outside the tracked set (a graph node by absolute
   * path), with its stat identity (statIdentity) before it was read, or RACY.
   */
  followed: [string, string][];
  /**
   * Jobs' dependency digests, one line per tracked file in the manifest's order
   * (which `paths` fixes); empty for a file that is no job, or whose job depends
   * on a file whose imports could not be read. Lines, not pairs: a no-op reads
   * them all, and a string splits faster than JSON parses.
   */
  digests: string;
  /** Files whose imports could not be read: read again every run, so a kept graph never stands for them. */
  unreadable: RelPath[];
  /** How many files the graph covers. */
  covered: number;
}

type DirectRow = [path: RelPath, digest: string, deps: DirectDeps];

export interface BuiltGraph {
  graph: DepGraph;
  /** Per covered file: the digest its imports were read from, and what they resolved to. */
  direct: ReadonlyMap<RelPath, { digest: string; deps: DirectDeps }>;
  unreadable: readonly RelPath[];
  /** The file system view the resolution used (from recorder()). */
  fs: RecordingFs;
  /** Files followed outside the tracked set, with their stat id before they were read ('' when racy). */
  followed: ReadonlyMap<string, string>;
  /** How many tracked files the graph covers. */
  covered: number;
  /** The paths whose job digests to keep, and how to compute one. */
  jobs: ReadonlySet<RelPath>;
  digestOf: (path: RelPath) => string;
}

export class GraphCache {
  /** The kept job digests hold: nothing they were computed from changed. */
  readonly digestsHold: boolean;
  /** The kept resolution holds for every file whose digest is unchanged. */
  readonly resolutionHolds: boolean;
  private readonly key: string;
  private readonly paths: string;
  private readonly contents: string;
  private directRows: Map<RelPath, { digest: string; deps: DirectDeps }> | null = null;
  private digests: Map<RelPath, string> | null = null;

  private constructor(
    private readonly input: GraphCacheInput,
    private readonly stored: GraphSnapshots,
    private readonly header: Header | null,
  ) {
    this.key = hashString(
      [FORMAT, codeIdentity(), process.version, input.sourceTree, input.home ?? '', input.key].join('\0'),
    );
    let paths = '';
    let digests = '';
    eachDigest(input.files, (p, digest) => {
      paths += p + '\0'; // no path holds a NUL; a newline it may
      digests += digest + '\n';
    });
    this.paths = hashString(paths);
    this.contents = hashString(this.paths + digests);
    const h = header;
    this.resolutionHolds =
      h !== null &&
      h.format === FORMAT &&
      h.key === this.key &&
      h.paths === this.paths &&
      consultedUnchanged(decodeConsulted(h.consulted));
    const now = Date.now();
    this.digestsHold =
      this.resolutionHolds &&
      h!.contents === this.contents &&
      h!.externals.every(([abs, id]) => input.externalId(abs) === id) &&
      h!.followed.every(([abs, id]) => id !== RACY && statIdentity(abs, now).id === id);
  }

  static open(input: GraphCacheInput, stored: GraphSnapshots): GraphCache {
    let header: Header | null;
    try {
      header = stored.header === undefined ? null : (JSON.parse(stored.header.toString('utf8')) as Header);
    } catch {
      header = null; // unreadable: recompute
    }
    return new GraphCache(input, stored, header);
  }

  /** How many files the kept graph covers. */
  get covered(): number {
    return this.header?.covered ?? 0;
  }

  /** Files whose imports could not be read last time; a caller reads them again. */
  get unreadable(): readonly RelPath[] {
    return this.header?.unreadable ?? [];
  }

  /** The kept dependency digest of path's job, when the digests hold and one was kept. */
  digest(path: RelPath): string | undefined {
    if (!this.digestsHold) return undefined;
    if (this.digests === null) {
      this.digests = new Map();
      const lines = this.header!.digests.split('\n');
      let i = 0;
      for (const p of this.input.files.keys()) {
        const d = lines[i++];
        if (d !== undefined && d !== '') this.digests.set(p, d);
      }
    }
    return this.digests.get(path);
  }

  /** The digest a kept row was read from (for a followed file, its content digest); undefined without a row. */
  rowDigest(path: RelPath): string | undefined {
    return this.rows().get(path)?.digest;
  }

  /** The kept graph, when the digests hold; its direct dependencies are decoded on first use. */
  graph(): DepGraph {
    if (!this.digestsHold) throw new Error('graph(): the kept graph does not hold');
    return new DepGraph(
      new LazyDirect(() => {
        const out = new Map<RelPath, DirectDeps>();
        for (const [p, row] of this.rows()) out.set(p, row.deps);
        return out;
      }),
      { sourceTree: this.input.sourceTree, home: this.input.home },
    );
  }

  /** What path's imports resolved to when it had this digest, when resolving again provably gives the same. */
  reusable(path: RelPath, digest: string): DirectDeps | undefined {
    if (!this.resolutionHolds || this.header!.unreadable.includes(path)) return undefined;
    const row = this.rows().get(path);
    return row?.digest === digest ? row.deps : undefined;
  }

  /** The file system view to resolve with: it keeps what was consulted before when that still holds. */
  recorder(): RecordingFs {
    return new RecordingFs(this.resolutionHolds ? decodeConsulted(this.header!.consulted) : undefined);
  }

  /** The snapshots for a graph built this run; null for one whose bytes are unchanged. */
  keep(built: BuiltGraph): { header: Buffer | null; direct: Buffer | null } {
    const unreadable = new Set(built.unreadable);
    // A job whose closure holds an unreadable file is never fresh: keep no digest for it.
    const unstable = new Set<RelPath>(unreadable);
    for (const u of unreadable) for (const d of built.graph.dependents(u)) unstable.add(d);
    const digests: string[] = [];
    for (const p of this.input.files.keys())
      digests.push(built.jobs.has(p) && !unstable.has(p) ? built.digestOf(p) : '');
    const externals = new Set<string>();
    for (const { deps } of built.direct.values()) for (const e of deps.external) externals.add(e);
    const header: Header = {
      format: FORMAT,
      key: this.key,
      paths: this.paths,
      contents: this.contents,
      consulted: encodeConsulted(built.fs.consulted),
      externals: [...externals].map((e) => [e, this.input.externalId(e)]),
      followed: [...built.followed].map(([abs, id]) => [abs, id === '' ? RACY : id]),
      digests: digests.join('\n'),
      unreadable: [...unreadable],
      covered: built.covered,
    };
    const rows: DirectRow[] = [...built.direct].map(([p, r]) => [p, r.digest, r.deps]);
    const headerBuf = Buffer.from(JSON.stringify(header), 'utf8');
    const directBuf = deflateJson(JSON.stringify(rows));
    return {
      header: this.stored.header?.equals(headerBuf) === true ? null : headerBuf,
      direct: this.stored.direct()?.equals(directBuf) === true ? null : directBuf,
    };
  }

  private rows(): Map<RelPath, { digest: string; deps: DirectDeps }> {
    if (this.directRows === null) {
      let rows: DirectRow[];
      try {
        const buf = this.stored.direct();
        rows = buf === undefined ? [] : (JSON.parse(inflateJson(buf)) as DirectRow[]);
      } catch {
        rows = []; // unreadable: nothing to reuse
      }
      this.directRows = new Map(rows.map(([p, digest, deps]) => [p, { digest, deps }]));
    }
    return this.directRows;
  }
}

/**
 * Large snapshots a no-op does not decode are stored deflated: the store reads
 * every snapshot whole, so their size is paid on every run. Fastest level:
 * JSON of paths shrinks about 5x even so.
 */
export function deflateJson(json: string): Buffer {
  return zlib().deflateSync(Buffer.from(json, 'utf8'), { level: 1 });
}

/** Reads what deflateJson wrote, or plain JSON as older versions stored it. */
export function inflateJson(buf: Buffer): string {
  return (buf[0] === 0x5b || buf[0] === 0x7b ? buf : zlib().inflateSync(buf)).toString('utf8');
}

let code: string | null = null;

/** Set by scripts/bundle.mjs in the bundle: the identity of the code it holds, computed when it was built. */
declare const RUNNER_CODE_IDENTITY: string | undefined;

/**
 * The code that builds graphs and their digests: a runner that resolves or
 * hashes differently must not reuse what an older one kept, whatever its
 * version number says. The bundle carries it (all of dist/, hashed at build
 * time: reading and hashing the 600 KB bundle took about 8 ms of every run
 * with deps); from dist/ it is this directory's modules, hashed once a run.
 */
export function codeIdentity(): string {
  if (code === null) {
    if (typeof RUNNER_CODE_IDENTITY === 'string') code = RUNNER_CODE_IDENTITY;
    else {
      const dir = path.dirname(fileURLToPath(import.meta.url));
      const parts: string[] = [];
      for (const name of fs.readdirSync(dir).sort()) {
        if (/\.(?:js|ts|py)$/.test(name)) parts.push(`${name}\0${fs.readFileSync(path.join(dir, name), 'utf8')}`);
      }
      code = hashString(parts.join('\0'));
    }
  }
  return code;
}

export type { Consulted };
