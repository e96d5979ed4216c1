// A run's remote cache: lookups and uploads through an ArtifactStore, each
// kind bounded in how many run at once, and the rules that keep a server that
// is down, slow, wrong or hostile from breaking the run: a refused token, or
// FAILURES_BEFORE_OFF failed requests in a row, switch it off for the rest of
// the run with one warning; an artifact that does not decode, does not match
// its job, does not verify or whose outputs cannot be taken is a miss, said
// once per kind at the end. Packs (pack.ts) go through the same rules: a
// lookup of a pack answers for its members, and a pack is uploaded once the
// run holds all its members' artifacts.
import { type Artifact, type ArtifactHeader, MAX_ARTIFACT_BYTES, decodeArtifact, encodeArtifact } from './artifact.js';
import {
  MAX_PACKED_ARTIFACT_BYTES,
  MAX_PACK_BYTES,
  type PackGroup,
  type PackMember,
  decodePack,
  encodePack,
} from './pack.js';
import type { ArtifactStore } from './remote-client.js';
import type { RemoteSettings } from './remote-settings.js';
import { artifactTag, isTagValid } from './signature.js';

/** Failed requests in a row (timeouts, refused connections, 5xx) after which the run stops asking. */
export const FAILURES_BEFORE_OFF = 3;
/** Each request's deadline. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** How long the end of a run waits for its uploads before it leaves them. */
export const FLUSH_LIMIT_MS = 15_000;
export const LOOKUPS_AT_ONCE = 16;
export const UPLOADS_AT_ONCE = 8;
/** The most a run holds of packs being put together (their members' artifacts): past it, packs are not made. */
const MAX_KEPT_FOR_PACKS = 64 * 1024 * 1024;

/** What a run's report says of the remote cache (RunReport.remote). */
export interface RemoteSummary {
  url: string;
  readOnly: boolean;
  lookups: number;
  hits: number;
  uploads: number;
  /** Requests that failed (no answer, an error status, a refused token). */
  errors: number;
  /** Why it was switched off mid-run; null when it stayed on. */
  off: string | null;
}

type Problem = 'unparseable' | 'unsigned' | 'bad-signature' | 'mismatch' | 'outputs';
const PROBLEM_TEXT: Record<Problem, string> = {
  unparseable: 'did not parse as a runner artifact',
  unsigned: 'carried no signature (x-artifact-tag) while a signature key is set',
  'bad-signature': 'had a signature that does not verify with the signature key',
  mismatch: 'named another job than the one asked for',
  outputs: 'carried outputs that cannot be restored',
};

/** What a pack's members' uploads have kept for it so far (planPacks). */
interface PackInProgress {
  group: PackGroup<PackMember>;
  kept: Map<string, { body: Buffer; durationMs: number }>;
  /** The kept artifacts' bytes. */
  bytes: number;
  /** Members whose artifact is not kept yet. */
  left: number;
  /** Given up: a member too large, or too much held; its members' artifacts are not kept. */
  dropped: boolean;
}

/** What the caller made of a decoded artifact: a value to return, or why it is a miss. */
export type Accepted<T> =
  /** `discarded`: the caller takes it and lets it go (a failure --rerun-failed runs anyway): no pack is made of it. */
  { ok: true; value: T; discarded?: true } | { ok: false; problem: string };

/**
 * Runs at most `n` of the given functions at once, in the order given. The queue is read from a moving
 * head, not shifted: a cold clone queues one lookup per job (10,000 and more), and shifting an array
 * that long copies it at every turn.
 */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  let waiting: (() => void)[] = [];
  let head = 0;
  const next = (): void => {
    if (head < waiting.length) waiting[head++]!();
    if (head === waiting.length) {
      waiting = [];
      head = 0;
    }
  };
  return async (fn) => {
    if (running >= n) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      next();
    }
  };
}

export class RemoteCache {
  readonly summary: RemoteSummary;
  private failuresInRow = 0;
  private uploadsOff = false;
  private readonly pending = new Set<Promise<void>>();
  private readonly problems = new Map<Problem, { count: number; example: string }>();
  /** Results not uploaded because they are too large for an artifact: how many, and the first by name. */
  private oversized: { count: number; example: string } | null = null;
  private readonly lookupSlot = limiter(LOOKUPS_AT_ONCE);
  /** The keys the server answered "none" for (404) in this run: the results of their jobs say so. */
  private readonly missed = new Set<string>();
  private readonly uploadSlot = limiter(UPLOADS_AT_ONCE);
  /** Each member of a pack this run may upload (planPacks) whose own upload has not started yet, and its pack. */
  private readonly packOf = new Map<string, PackInProgress>();
  /** The bytes kept in packs not yet complete: at most MAX_KEPT_FOR_PACKS. */
  private keptBytes = 0;

  constructor(
    private readonly settings: RemoteSettings,
    private readonly store: ArtifactStore,
    private readonly warn: (message: string) => void,
  ) {
    this.summary = {
      url: settings.url,
      readOnly: settings.readOnly,
      lookups: 0,
      hits: 0,
      uploads: 0,
      errors: 0,
      off: null,
    };
  }

  get isOn(): boolean {
    return this.summary.off === null;
  }

  /** Whether the server was asked for `hash` in this run and had no artifact under it. */
  wasMissed(hash: string): boolean {
    return this.missed.has(hash);
  }

  /**
   * What `accept` made of the artifact stored under `hash` for this job, or null: a miss, a cache
   * switched off, one not to be trusted (`accept` refusing it too), or a lookup still queued when
   * `signal` aborted (an interrupted run stops asking). `accept` runs within the lookup's slot, so at
   * most LOOKUPS_AT_ONCE artifacts are held at once: it keeps what it needs and lets the bytes go.
   */
  lookup<T>(
    hash: string,
    job: Pick<ArtifactHeader, 'tool' | 'path'>,
    signal: AbortSignal | undefined,
    accept: (a: Artifact) => Accepted<T>,
  ): Promise<T | null> {
    return this.lookupSlot(async () => {
      if (!this.isOn || signal?.aborted === true) return null;
      this.summary.lookups++;
      const body = await this.fetch(hash, `${job.tool} ${job.path}`, signal, true);
      if (body === null) return null;
      let keptMs = -1;
      const value = this.member(job, body, (a) => {
        const r = accept(a);
        if (r.ok && r.discarded !== true) keptMs = a.header.durationMs;
        return r;
      });
      // A hit asked for singly goes into its pack as the server gave it: a run where one file changed uploads
      // that file's pack anew, its other members from here, its changed one once its job ran and was uploaded.
      if (value !== null && keptMs >= 0) this.keepForPack(hash, body, keptMs);
      return value;
    });
  }

  /**
   * What `accept` made of each member of the pack stored under `hash` (pack.ts), in the members' order:
   * null for the whole pack when the server has none (or it is not to be trusted, or the cache is off),
   * and the caller asks for its members singly (a pack only saves requests); null for a member whose
   * artifact is not to be trusted, as lookup() would say of it.
   */
  lookupPack<T>(
    hash: string,
    members: readonly (Pick<ArtifactHeader, 'tool' | 'path'> & { key: string })[],
    signal: AbortSignal | undefined,
    accept: (i: number, a: Artifact) => Accepted<T>,
  ): Promise<(T | null)[] | null> {
    return this.lookupSlot(async () => {
      if (!this.isOn || signal?.aborted === true || members.length === 0) return null;
      const first = members[0]!;
      const where = `the pack of ${members.length} jobs from ${first.tool} ${first.path}`;
      // Not a miss of any one job: its members are asked for singly, and those answers say.
      const body = await this.fetch(hash, where, signal, false);
      if (body === null) return null;
      const pack = decodePack(body);
      if (!pack.ok) return this.problem('unparseable', `${where}: ${pack.problem}`);
      if (pack.members.length !== members.length || pack.members.some((m, i) => m.key !== members[i]!.key))
        return this.problem('mismatch', where);
      // Counted as looked up once the pack answered: the members of one it cannot give are looked up (and counted) singly.
      this.summary.lookups += members.length;
      const taken: number[] = [];
      let discarded = false;
      const values = members.map((job, i) =>
        this.member(job, pack.members[i]!.artifact, (a) => {
          const r = accept(i, a);
          if (r.ok && r.discarded === true) discarded = true;
          else if (r.ok) taken[i] = a.header.durationMs;
          return r;
        }),
      );
      // A member let go (a failure --rerun-failed runs here): the pack is made anew once that job's result is
      // uploaded, so the next clone gets the result of this run, as it does from the member's own artifact.
      if (discarded)
        members.forEach((m, i) => {
          if (values[i] !== null && taken[i] !== undefined)
            this.keepForPack(m.key, pack.members[i]!.artifact, taken[i]);
        });
      return values;
    });
  }

  /** The bytes the server holds under `hash`, verified when a key is set; null for a miss, a failure or an interrupted run. */
  private async fetch(
    hash: string,
    where: string,
    signal: AbortSignal | undefined,
    isJob: boolean,
  ): Promise<Buffer | null> {
    const answer = await this.store.get(hash, signal);
    // Dropped by the interrupt: no answer, and no sign of a server in trouble.
    if (signal?.aborted === true) return null;
    switch (answer.kind) {
      case 'miss':
        this.failuresInRow = 0;
        if (isJob) this.missed.add(hash);
        return null;
      case 'refused':
        this.refused(answer.status, 'lookup');
        return null;
      case 'error':
        this.failed(answer.message);
        return null;
      case 'hit':
        break;
    }
    this.failuresInRow = 0;
    const key = this.settings.signatureKey;
    if (key !== null) {
      if (answer.tag === null) return this.problem('unsigned', where);
      if (!isTagValid(key, hash, this.settings.team, answer.body, answer.tag))
        return this.problem('bad-signature', where);
    }
    return answer.body;
  }

  /** One job's artifact, decoded, checked against the job and given to `accept`; counted as a hit when taken. */
  private member<T>(
    job: Pick<ArtifactHeader, 'tool' | 'path'>,
    body: Buffer,
    accept: (a: Artifact) => Accepted<T>,
  ): T | null {
    const where = `${job.tool} ${job.path}`;
    const decoded = decodeArtifact(body);
    if (!decoded.ok) return this.problem('unparseable', `${where}: ${decoded.problem}`);
    const h = decoded.artifact.header;
    if (h.tool !== job.tool || h.path !== job.path) return this.problem('mismatch', where);
    const accepted = accept(decoded.artifact);
    if (!accepted.ok) return this.problem('outputs', `${where}: ${accepted.problem}`);
    this.summary.hits++;
    return accepted.value;
  }

  /**
   * Queues an upload (never in read-only mode, never once switched off); finish() waits for the queue.
   * `pack` reads the artifact when its turn comes, so at most UPLOADS_AT_ONCE are held at once; it
   * returns null when nothing whole is left to share. A member of a planned pack keeps its bytes for it.
   */
  upload(hash: string, pack: () => Artifact | null): void {
    this.queueUpload(hash, true, () => {
      const artifact = pack();
      if (artifact === null) return null;
      const body = encodeArtifact(artifact);
      this.keepForPack(hash, body, artifact.header.durationMs);
      return { body, durationMs: artifact.header.durationMs };
    });
  }

  /**
   * The packs (pack.ts) this run's stale jobs fall into: each member's artifact is kept as it is uploaded,
   * or as it came from a single lookup, and a pack whose members were all kept in this run (a cold run's,
   * where its jobs ran here; a run where some changed) is uploaded in turn, after them. Not counted among
   * the results uploaded: each member was, on its own.
   */
  planPacks(groups: readonly PackGroup<PackMember>[]): void {
    for (const group of groups) {
      const p: PackInProgress = { group, kept: new Map(), bytes: 0, left: group.members.length, dropped: false };
      for (const m of group.members) this.packOf.set(m.key, p);
    }
  }

  private keepForPack(hash: string, body: Buffer, durationMs: number): void {
    const p = this.packOf.get(hash);
    if (p === undefined || this.settings.readOnly || this.uploadsOff || !this.isOn) return;
    this.packOf.delete(hash);
    if (p.dropped) return;
    // A large member, a large pack or too much held already: this pack is not made (its members stay asked for singly).
    if (
      body.length > MAX_PACKED_ARTIFACT_BYTES ||
      p.bytes + body.length > MAX_PACK_BYTES ||
      this.keptBytes + body.length > MAX_KEPT_FOR_PACKS
    ) {
      p.dropped = true;
      this.keptBytes -= p.bytes;
      p.kept.clear();
      return;
    }
    p.kept.set(hash, { body, durationMs });
    p.bytes += body.length;
    this.keptBytes += body.length;
    if (--p.left > 0) return;
    this.queueUpload(p.group.key, false, () => {
      const members: { key: string; artifact: Buffer }[] = [];
      let total = 0;
      for (const m of p.group.members) {
        const k = p.kept.get(m.key)!;
        members.push({ key: m.key, artifact: k.body });
        total += k.durationMs;
      }
      this.keptBytes -= p.bytes;
      p.kept.clear();
      return { body: encodePack(members), durationMs: total };
    });
  }

  private queueUpload(hash: string, isResult: boolean, make: () => { body: Buffer; durationMs: number } | null): void {
    if (this.settings.readOnly || this.uploadsOff || !this.isOn) return;
    const p = this.uploadSlot(async () => {
      if (this.uploadsOff || !this.isOn) return;
      const made = make();
      if (made === null) return;
      const key = this.settings.signatureKey;
      const tag = key === null ? null : artifactTag(key, hash, this.settings.team, made.body);
      const answer = await this.store.put(hash, made.body, made.durationMs, tag);
      switch (answer.kind) {
        case 'stored':
          this.failuresInRow = 0;
          if (isResult) this.summary.uploads++;
          return;
        case 'refused':
          return this.refused(answer.status, 'upload');
        case 'error':
          return this.failed(answer.message);
      }
    });
    // Nobody awaits an upload until finish(): a failure it did not foresee counts as a failed request, never as an unhandled rejection.
    const done = p
      .catch((err: unknown) => this.failed(err instanceof Error ? err.message : String(err)))
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  /** A result not uploaded: its log and outputs are over MAX_ARTIFACT_BYTES (`example`: the job and its size). */
  tooLarge(example: string): void {
    if (this.settings.readOnly || this.uploadsOff || !this.isOn) return;
    if (this.oversized === null) this.oversized = { count: 1, example };
    else {
      this.oversized.count++;
      if (example < this.oversized.example) this.oversized.example = example;
    }
  }

  /**
   * Waits for the queued uploads, at most `limitMs`, then lets the
   * connections go and says once what it found wrong with artifacts.
   */
  async finish(limitMs = FLUSH_LIMIT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), limitMs)));
    // Read again after each wait: a member's upload queues its pack's when it is the last one in.
    const drained = (async () => {
      while (this.pending.size > 0) await Promise.all([...this.pending]);
      return 'done' as const;
    })();
    const waited = await Promise.race([drained, late]);
    clearTimeout(timer);
    if (waited === 'late') {
      const left = this.pending.size;
      this.switchOff(
        `${left} upload${left === 1 ? '' : 's'} not done after ${limitMs / 1000} s`,
        'those results are kept here only',
      );
    }
    this.store.close(); // also ends uploads still running: their results stay recorded here
    for (const [kind, { count, example }] of this.problems)
      this.warn(
        `remote cache: ${count} artifact${count === 1 ? '' : 's'} ${PROBLEM_TEXT[kind]} (e.g. ${example}): taken as ${count === 1 ? 'a miss' : 'misses'}, the jobs run here`,
      );
    if (this.oversized !== null) {
      const { count, example } = this.oversized;
      this.warn(
        `remote cache: ${count} result${count === 1 ? '' : 's'} not uploaded: log and outputs over the ${MAX_ARTIFACT_BYTES / 1024 / 1024} MiB an artifact may hold (e.g. ${example}); kept here only`,
      );
    }
  }

  private problem(kind: Problem, example: string): null {
    const p = this.problems.get(kind);
    if (p === undefined) this.problems.set(kind, { count: 1, example });
    else {
      p.count++;
      // Lookups end in any order: the first by name is the example, the same every time.
      if (example < p.example) p.example = example;
    }
    return null;
  }

  private refused(status: number, what: 'lookup' | 'upload'): void {
    this.summary.errors++;
    if (what === 'upload' && status === 403) {
      // A token that may read but not write (or a read-only server): lookups go on.
      if (!this.uploadsOff)
        this.warn(
          `remote cache: ${this.settings.url} refused an upload (HTTP 403): the token may read but not write; uploads stop for this run (set RUNNER_REMOTE_CACHE_READ_ONLY=1 to not try)`,
        );
      this.uploadsOff = true;
      return;
    }
    this.switchOff(
      `${this.settings.url} refused the token (HTTP ${status}); check RUNNER_REMOTE_CACHE_TOKEN or remoteCache.tokenFile`,
    );
  }

  private failed(message: string): void {
    this.summary.errors++;
    if (++this.failuresInRow >= FAILURES_BEFORE_OFF)
      this.switchOff(`${this.failuresInRow} requests in a row failed (last: ${message})`);
  }

  private switchOff(why: string, then = 'jobs run here'): void {
    if (!this.isOn) return;
    this.summary.off = why;
    this.warn(`remote cache: switched off for the rest of this run: ${why}; ${then}`);
  }
}
