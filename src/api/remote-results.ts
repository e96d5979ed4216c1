// Where a run meets the remote cache (cache/): before the stale jobs run,
// each one whose key can be shared is looked up, and a hit is recorded here
// as a result that ran (its log written under the result's name) and
// reported as a remote hit; as jobs finish, their results are uploaded.
// Only a job that exited by itself is shared: a timeout, a kill or an
// interrupt is this machine's story, and a failure of runner itself is never
// recorded at all (result-recorder.ts).
import fs from 'node:fs';
import {
  type Artifact,
  ARTIFACT_FORMAT,
  LOOKUPS_AT_ONCE,
  REQUEST_TIMEOUT_MS,
  RemoteCache,
  UPLOADS_AT_ONCE,
  artifactKey,
  httpArtifactStore,
  remoteSettingsOf,
  unshareableParts,
} from '../cache/index.js';
import { type JobResult, encodeDeps } from '../manifest/index.js';
import type { PlannedJob } from '../plan/index.js';
import type { Session } from '../session.js';
import type { EventSink } from './events.js';
import { reportOf } from './job-report.js';
import type { JobReport } from './run-report.js';
import { logPath, removeLogs } from './scan-and-save.js';

/** The run's remote cache, when the config or the environment names one; null otherwise. */
export function openRemoteCache(s: Session, env: NodeJS.ProcessEnv, events: EventSink): RemoteCache | null {
  const settings = remoteSettingsOf(s.loaded.config.remoteCache, env, s.loaded.file, s.loaded.displayFile);
  if (settings === null) return null;
  const store = httpArtifactStore(settings, {
    timeoutMs: REQUEST_TIMEOUT_MS,
    sockets: LOOKUPS_AT_ONCE + UPLOADS_AT_ONCE,
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

/**
 * Looks up the stale jobs that may be shared (LOOKUPS_AT_ONCE at a time);
 * records and reports each hit, and returns the jobs still to run, in plan
 * order. With --rerun-failed a remote failure is no hit: the job runs.
 */
export async function restoreRemoteHits(
  s: Session,
  remote: RemoteCache,
  stale: readonly PlannedJob[],
  reports: Map<PlannedJob, JobReport>,
  events: EventSink,
  rerunFailed: boolean,
  signal: AbortSignal,
): Promise<PlannedJob[]> {
  const found = await Promise.all(
    stale.map(async (p) =>
      isLookedUp(p)
        ? remote.lookup(artifactKey(p.job.fingerprint), { tool: p.job.tool.config.name, path: p.job.path }, signal)
        : null,
    ),
  );
  const left: PlannedJob[] = [];
  s.manifest.together(() => {
    stale.forEach((p, i) => {
      const a = found[i] ?? null;
      if (a === null || (rerunFailed && a.header.status === 'failed')) left.push(p);
      else recordHit(s, p, a, reports, events);
    });
  });
  return left;
}

/** A hit, recorded as if the job had run here (so the next run is a local no-op) and reported as a remote hit. */
function recordHit(
  s: Session,
  p: PlannedJob,
  a: Artifact,
  reports: Map<PlannedJob, JobReport>,
  events: EventSink,
): void {
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
  // The log gets the result's own name, as result-recorder.ts gives one (no kept result shares it).
  while (result.hasLog && fs.existsSync(logPath(s, result))) result.finishedAt++;
  if (result.hasLog) fs.writeFileSync(logPath(s, result), a.log);
  const nodes = p.job.deps?.nodesToKeep?.((hash) => s.manifest.merkleNode(hash) !== undefined) ?? [];
  removeLogs(s, s.manifest.recordResult(result, nodes));
  const r: JobReport = {
    ...reportOf(p, h.status === 'passed' ? 'passed' : 'cached-failure', s, result),
    finishedAt: result.finishedAt,
    remote: true,
  };
  reports.set(p, r);
  events.emit({ type: 'remote-hit', job: r });
}

/** Queues the upload of a result recorded here (result-recorder.ts calls it as each job ends). */
export function shareResult(s: Session, remote: RemoteCache, p: PlannedJob, result: JobResult): void {
  if (result.end.kind !== 'exit' || result.status === 'interrupted' || !isShareable(p)) return;
  // The fingerprint the lookup will ask for: a job whose key changed by running (reported deps) is not shared.
  if (result.fingerprint !== p.job.fingerprint) return;
  let log: Buffer;
  try {
    log = result.hasLog ? fs.readFileSync(logPath(s, result)) : Buffer.alloc(0);
  } catch {
    return; // its log went (the history let it go): nothing whole to share
  }
  remote.upload(artifactKey(result.fingerprint), {
    header: {
      format: ARTIFACT_FORMAT,
      tool: result.tool,
      path: result.path,
      status: result.status,
      end: result.end,
      durationMs: result.durationMs,
      logBytes: log.length,
      outputs: [],
      encoding: 'identity', // encodeArtifact decides
    },
    log,
    outputs: [],
  });
}
