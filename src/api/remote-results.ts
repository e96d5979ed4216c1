// Where a run meets the remote cache (cache/): before the stale jobs run,
// each one whose key can be shared is looked up (in its pack, cache/pack.ts,
// when it falls in one), and a hit is recorded here
// as a result that ran (its log written under the result's name, its outputs
// put into the tree and listed, remote-outputs.ts) and reported as a remote
// hit; as jobs finish, their results are uploaded with their outputs.
// Only a job that exited by itself is shared: a timeout, a kill or an
// interrupt is this machine's story, and a failure of runner itself is never
// recorded at all (result-recorder.ts).
import fs from 'node:fs';
import {
  type Accepted,
  type Artifact,
  ARTIFACT_FORMAT,
  LOOKUPS_AT_ONCE,
  MAX_ARTIFACT_BYTES,
  REQUEST_TIMEOUT_MS,
  RemoteCache,
  type PackGroup,
  type PackMember,
  UPLOADS_AT_ONCE,
  artifactKey,
  httpArtifactStore,
  packGroups,
  remoteSettingsOf,
  unshareableParts,
} from '../cache/index.js';
import { type JobResult, encodeDeps } from '../manifest/index.js';
import { restoreOutputs, writeOutputList } from '../outputs/index.js';
import type { PlannedJob } from '../plan/index.js';
import type { Session } from '../session.js';
import { streamIndexPath } from '../state-dir.js';
import type { EventSink } from './events.js';
import { reportOf } from './job-report.js';
import type { JobReport } from './run-report.js';
import { logPath, removeLogs } from './scan-and-save.js';
import { type AcceptedOutputs, acceptOutputs, packOutputs } from './remote-outputs.js';

/** The run's remote cache, when the config or the environment names one; null otherwise. */
export function openRemoteCache(s: Session, env: NodeJS.ProcessEnv, events: EventSink): RemoteCache | null {
  const settings = remoteSettingsOf(s.loaded.config.remoteCache, env, s.loaded.file, s.loaded.displayFile);
  if (settings === null) return null;
  const store = httpArtifactStore(settings, {
    timeoutMs: REQUEST_TIMEOUT_MS,
    sockets: LOOKUPS_AT_ONCE + UPLOADS_AT_ONCE,
    // An artifact's payload is at most the cap; its header and gzip's framing get as much again.
    maxBodyBytes: 2 * MAX_ARTIFACT_BYTES,
  });
  return new RemoteCache(settings, store, (message) => events.emit({ type: 'warning', message }));
}

/**
 * Whether this job's result may travel: its key is portable (cache/shareable.ts)
 * and known before it runs (a depfile or trace tool reports its dependencies
 * only by running, so no other machine could ask for the key it ends with).
 */
function isShareable(p: PlannedJob): boolean {
  const deps = p.job.tool.config.deps;
  if (deps === 'depfile' || deps === 'trace') return false;
  return unshareableParts(p.job).length === 0;
}

/** Whether to ask for it: a shareable job not forced (--force runs it here; its result is still uploaded). */
function isLookedUp(p: PlannedJob): boolean {
  return !(p.verdict.state === 'stale' && p.verdict.reasons.some((r) => r.kind === 'forced')) && isShareable(p);
}

/** A job as a pack and the server know it: its tool, path and key. */
function memberOf(p: PlannedJob): PackMember {
  return { tool: p.job.tool.config.name, path: p.job.path, key: artifactKey(p.job.fingerprint) };
}

/** What a hit leaves once accepted: the result's header and log, and its outputs, already in the local store. */
interface Hit {
  header: Artifact['header'];
  log: Buffer;
  outputs: AcceptedOutputs;
}

/** How long answers gather before the hits among them are recorded together (one transaction). */
const RECORD_EVERY_MS = 100;

/**
 * Looks up the stale jobs that may be shared (LOOKUPS_AT_ONCE at a time);
 * records each hit, its outputs put into `root` (the tree the jobs would run
 * in), and returns the jobs still to run, in plan order. Hits are recorded as
 * their answers come, a batch per RECORD_EVERY_MS in one transaction, while
 * the run waits on the server for the others; they are reported once all
 * are in, in plan order, so what the run prints does not depend on which
 * answer came first. With --rerun-failed a remote failure is no hit: the job runs.
 */
export async function restoreRemoteHits(
  s: Session,
  root: string,
  remote: RemoteCache,
  stale: readonly PlannedJob[],
  reports: Map<PlannedJob, JobReport>,
  events: EventSink,
  rerunFailed: boolean,
  signal: AbortSignal,
): Promise<PlannedJob[]> {
  const scope = { root, stateDir: s.stateDir };
  const restored = new Map<PlannedJob, JobReport>();
  let arrived: { p: PlannedJob; hit: Hit }[] = [];
  let timer: NodeJS.Timeout | null = null;
  // A store error in a timer's batch is thrown from here, as one outside it would be, not left to crash the process.
  let failed: { err: unknown } | null = null;
  const recordArrived = (): void => {
    timer = null;
    if (failed !== null) return;
    const batch = arrived;
    arrived = [];
    s.manifest.together(() => {
      for (const { p, hit } of batch)
        if (restoreHitOutputs(s, root, p, hit, events)) restored.set(p, recordHit(s, p, hit));
    });
  };
  const arrive = (p: PlannedJob, hit: Hit | null): void => {
    if (hit === null || (rerunFailed && hit.header.status === 'failed')) return;
    arrived.push({ p, hit });
    timer ??= setTimeout(() => {
      try {
        recordArrived();
      } catch (err) {
        failed = { err };
      }
    }, RECORD_EVERY_MS);
  };
  const take = (p: PlannedJob, a: Artifact): Accepted<Hit> => {
    // A failure --rerun-failed will run anyway: nothing of it is kept.
    if (rerunFailed && a.header.status === 'failed')
      return { ok: true, value: { ...a, outputs: noOutputs }, discarded: true };
    const outputs = acceptOutputs(scope, p, a);
    return outputs.ok ? { ok: true, value: { header: a.header, log: a.log, outputs: outputs.value } } : outputs;
  };
  // Packs first (a cold clone's jobs nearly all fall into one), then the jobs in none, in plan order; the
  // members of a pack the server does not have are asked for singly after those. The same cut tells which
  // packs this run uploads, once their members have run here (RemoteCache.planPacks).
  const packs = packGroups(stale.filter(isShareable).map((p) => ({ ...memberOf(p), p })));
  remote.planPacks(packs);
  const units: ({ pack: PackGroup<PackMember & { p: PlannedJob }> } | { p: PlannedJob })[] = [];
  const inPack = new Set<PlannedJob>();
  for (const pack of packs)
    if (pack.members.every((m) => isLookedUp(m.p))) {
      units.push({ pack });
      for (const m of pack.members) inPack.add(m.p);
    }
  for (const p of stale) if (!inPack.has(p) && isLookedUp(p)) units.push({ p });
  // LOOKUPS_AT_ONCE workers take the units in order: a lookup's objects live only while it runs, where
  // one promise per stale job made at once (10,000 on a cold clone) lived through the whole wait.
  let next = 0;
  const lookUpNext = async (): Promise<void> => {
    while (next < units.length) {
      const u = units[next++]!;
      if ('p' in u) {
        const { p } = u;
        arrive(p, await remote.lookup<Hit>(artifactKey(p.job.fingerprint), memberOf(p), signal, (a) => take(p, a)));
        continue;
      }
      const { members } = u.pack;
      const hits = await remote.lookupPack<Hit>(u.pack.key, members, signal, (i, a) => take(members[i]!.p, a));
      // No pack (or none to trust): its members are asked for singly. A member the pack gave and `take` refused
      // is a miss, as its own artifact would be (the same bytes, from the same upload).
      if (hits === null) {
        if (!signal.aborted) for (const m of members) units.push({ p: m.p });
      } else members.forEach((m, i) => arrive(m.p, hits[i] ?? null));
    }
  };
  try {
    // Again while a pack's members were queued after the workers had run out of units.
    while (next < units.length)
      await Promise.all(Array.from({ length: Math.min(LOOKUPS_AT_ONCE, units.length - next) }, lookUpNext));
  } finally {
    if (timer !== null) clearTimeout(timer);
    recordArrived();
  }
  if (failed !== null) throw (failed as { err: unknown }).err;
  const left: PlannedJob[] = [];
  for (const p of stale) {
    const r = restored.get(p);
    if (r === undefined) left.push(p);
    else {
      reports.set(p, r);
      events.emit({ type: 'remote-hit', job: r });
    }
  }
  return left;
}

const noOutputs: AcceptedOutputs = { outputs: [], bytes: 0 };

/**
 * Writes a hit's outputs (checked and in the store: acceptOutputs) into the
 * tree and lists them with the result, so a later local hit restores them
 * too. false when runner's own I/O failed: the job runs here instead.
 */
function restoreHitOutputs(s: Session, root: string, p: PlannedJob, hit: Hit, events: EventSink): boolean {
  if (hit.outputs.outputs.length === 0) return true;
  try {
    restoreOutputs({ root, stateDir: s.stateDir }, hit.outputs.outputs);
    writeOutputList(s.stateDir, p.job.fingerprint, hit.outputs.outputs);
    return true;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    events.emit({
      type: 'warning',
      message: `${p.job.tool.config.name} ${p.job.path}: could not restore its outputs from the remote cache (${why}); running it instead`,
    });
    return false;
  }
}

/** A hit, recorded as if the job had run here (so the next run is a local no-op); its report as a remote hit. */
function recordHit(s: Session, p: PlannedJob, a: Hit): JobReport {
  const now = Date.now();
  const h = a.header;
  const result: JobResult = {
    tool: p.job.tool.config.name,
    path: p.job.path,
    fingerprint: p.job.fingerprint,
    latchId: p.job.tool.latchId,
    digest: p.job.digest,
    status: h.status,
    end: h.end,
    durationMs: h.durationMs,
    hasLog: a.log.length > 0,
    finishedAt: now,
    usedAt: now,
    logBytes: a.log.length,
    depsDigest: p.job.deps?.digest ?? '',
    deps: p.job.deps === null || p.job.deps.entries.length === 0 ? '' : encodeDeps(p.job.deps.entries),
    remote: true,
  };
  // Outputs count toward the kept-size budget with the logs, as for a result that ran here (result-recorder.ts).
  result.logBytes += a.outputs.bytes;
  // The log gets the result's own name, as result-recorder.ts gives one (no kept result shares it).
  while (result.hasLog && fs.existsSync(logPath(s, result))) result.finishedAt++;
  if (result.hasLog) {
    // The artifact holds the merged log only: its streams are unknown here, and no index a dead runner left under this name may claim them.
    fs.rmSync(streamIndexPath(s.stateDir, logPath(s, result)), { force: true });
    fs.writeFileSync(logPath(s, result), a.log);
  }
  const nodes = p.job.deps?.nodesToKeep?.((hash) => s.manifest.merkleNode(hash) !== undefined) ?? [];
  removeLogs(s, s.manifest.recordResult(result, nodes));
  return {
    ...reportOf(p, h.status === 'passed' ? 'passed' : 'cached-failure', s, result),
    finishedAt: result.finishedAt,
    remote: true,
  };
}

/** Whether this run asked the remote cache for the job's key and it had nothing: its result says so, for explain. */
export function missedRemotely(remote: RemoteCache, p: PlannedJob): boolean {
  return remote.wasMissed(artifactKey(p.job.fingerprint));
}

/** Queues the upload of a result recorded here (result-recorder.ts calls it as each job ends), with its outputs. */
export function shareResult(s: Session, remote: RemoteCache, p: PlannedJob, result: JobResult): void {
  if (result.end.kind !== 'exit' || result.status === 'interrupted' || !isShareable(p)) return;
  // The fingerprint the lookup will ask for: a job whose key changed by running (reported deps) is not shared.
  if (result.fingerprint !== p.job.fingerprint) return;
  const { status, end } = result; // narrowed here, for the closure below
  const hasOutputs = status === 'passed' && p.job.tool.config.outputs.length > 0;
  // Read when the upload's turn comes (RemoteCache.upload), so the queue holds no bytes.
  remote.upload(artifactKey(result.fingerprint), () => {
    let log: Buffer;
    try {
      log = result.hasLog ? fs.readFileSync(logPath(s, result)) : Buffer.alloc(0);
    } catch {
      return null; // its log went (the history let it go): nothing whole to share
    }
    const packed = hasOutputs ? packOutputs(s.stateDir, result.fingerprint, log.length) : null;
    if (packed?.kind === 'gone') return null;
    if (packed?.kind === 'too-large') {
      remote.tooLarge(`${result.tool} ${result.path}, ${(packed.bytes / 1024 / 1024).toFixed(1)} MiB`);
      return null;
    }
    return {
      header: {
        format: ARTIFACT_FORMAT,
        tool: result.tool,
        path: result.path,
        status,
        end,
        durationMs: result.durationMs,
        logBytes: log.length,
        outputs: packed?.outputs ?? [],
        encoding: 'identity', // encodeArtifact decides
      },
      log,
      outputs: packed?.data ?? [],
    };
  });
}
