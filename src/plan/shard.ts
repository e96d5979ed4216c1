// CI sharding (`run --shard I/N`): which shard each job of a plan belongs to,
// and the plan narrowed to one shard. Pure: no clock, no I/O, no absolute path,
// no hash-map order; the same jobs and weights give the same shards on any machine.
//
// The unit is the job (one tool on one file), not the file: a file's lint and
// its test may land on different machines, which balances a suite where one
// tool dominates. A batch tool's jobs of one shard are cut into chunks there.
// Every job of the selection belongs to exactly one shard, stale or fresh, so
// machines that differ in what is stale still run each stale job exactly once.
import crypto from 'node:crypto';
import { ShardError } from '../errors.js';
import type { JobResult } from '../manifest/index.js';
import type { RelPath } from '../types.js';
import type { Plan } from './plan.js';

/** Shard `index` (1-based) of `count`, as `--shard index/count` says. */
export interface Shard {
  index: number;
  count: number;
}

/** A job as sharding sees it: its identity (tool, file) and its last known duration, if any. */
export interface ShardedJob {
  tool: string;
  path: RelPath;
  /** The last recorded run's duration (ms); undefined when no result says. */
  durationMs: number | undefined;
}

/** Parses `I/N` (1 <= I <= N); anything else is a usage error naming the value (exit 2). */
export function parseShard(value: string): Shard {
  const m = /^([0-9]+)\/([0-9]+)$/.exec(value.trim());
  const index = m === null ? NaN : Number(m[1]);
  const count = m === null ? NaN : Number(m[2]);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new ShardError({
      value,
      expected: 'I/N, whole numbers with 1 <= I <= N (e.g. 1/3, the first of three shards)',
    });
  }
  return { index, count };
}

export const shardName = (s: Shard): string => `${s.index}/${s.count}`;

/**
 * A job's identity as a string that sorts the same everywhere: tool, then
 * file, compared by UTF-16 code units (never localeCompare: a machine's
 * locale must not move a job to another shard).
 */
const keyOf = (tool: string, p: string): string => `${tool}\0${p}`;
const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A duration as a weight, rounded to a power of two (ms): two stores whose
 * last runs of a job took 900 and 1,000 ms weigh it the same, so shards
 * balanced from slightly different histories still agree; within a factor of
 * two is all balancing needs.
 */
function weightOf(ms: number): number {
  return ms < 1 ? 1 : 2 ** Math.round(Math.log2(ms));
}

/**
 * Each job's shard (0-based), by job key (tool NUL path). Balanced by weight:
 * a job's last known duration, or, for a job without one, the mean of the
 * known ones (every job weighs 1 when none is known, which counts jobs).
 * Longest first onto the least loaded shard (ties: the lower key, the lower
 * shard), the classic greedy that keeps the largest shard within 4/3 of the
 * best possible; with equal weights it deals the jobs round-robin in key order.
 */
export function assignShards(jobs: readonly ShardedJob[], count: number): Map<string, number> {
  return assignWithInputs(jobs, count).shards;
}

/**
 * assignShards, and a hash of everything the assignment read (each job's key
 * and weight, and N): shards that print the same hash cut the jobs the same
 * way, so a CI step can check that its machines agreed (README, "CI sharding").
 */
function assignWithInputs(jobs: readonly ShardedJob[], count: number): { shards: Map<string, number>; inputs: string } {
  const known = jobs.map((j) => j.durationMs).filter((d): d is number => d !== undefined && Number.isFinite(d));
  const fallback = known.length === 0 ? 1 : weightOf(known.reduce((a, b) => a + b, 0) / known.length);
  const weighted = jobs
    .map((j) => ({
      key: keyOf(j.tool, j.path),
      weight:
        known.length === 0 || j.durationMs === undefined || !Number.isFinite(j.durationMs)
          ? fallback
          : weightOf(j.durationMs),
    }))
    .sort((a, b) => b.weight - a.weight || byKey(a.key, b.key));
  const load = new Array<number>(count).fill(0);
  const out = new Map<string, number>();
  const read = crypto.createHash('sha256').update(`${count}\n`);
  for (const { key, weight } of weighted) {
    let least = 0;
    for (let i = 1; i < count; i++) if (load[i]! < load[least]!) least = i;
    load[least] = load[least]! + weight;
    out.set(key, least);
    read.update(`${key}\0${weight}\n`);
  }
  return { shards: out, inputs: read.digest('hex').slice(0, 16) };
}

/**
 * The plan narrowed to one shard: its stale jobs, cached failures, unchecked
 * and (listed) fresh jobs, and its share of the fresh count. `plan` must list
 * every job (planned with listFresh), since the fresh ones count towards the
 * balance; `keepListed` says whether the caller asked for the listing.
 * `latest`: a job's last result, whose duration weighs it.
 */
export function shardPlan(
  plan: Plan,
  shard: Shard,
  latest: (tool: string, path: RelPath) => JobResult | undefined,
  keepListed: boolean,
): { plan: Plan; assignment: string } {
  const listed = plan.listed;
  if (listed === undefined) throw new Error('shardPlan: the plan must list its fresh jobs (listFresh)');
  const all: ShardedJob[] = [
    ...listed.map((p) => ({ tool: p.job.tool.config.name, path: p.job.path })),
    ...plan.unchecked.map((u) => ({ tool: u.tool.config.name, path: u.path })),
  ].map((j) => ({ ...j, durationMs: durationOf(latest(j.tool, j.path)) }));
  const { shards, inputs } = assignWithInputs(all, shard.count);
  const mine = (tool: string, p: RelPath): boolean => shards.get(keyOf(tool, p)) === shard.index - 1;
  const kept = listed.filter((p) => mine(p.job.tool.config.name, p.job.path));
  return {
    plan: {
      jobs: plan.jobs.filter((p) => mine(p.job.tool.config.name, p.job.path)),
      fresh: kept.filter((p) => p.verdict.state === 'fresh').length,
      unchecked: plan.unchecked.filter((u) => mine(u.tool.config.name, u.path)),
      reused: plan.reused.filter((r) => mine(r.tool, r.path)),
      ...(keepListed ? { listed: kept } : {}),
    },
    assignment: inputs,
  };
}

/** How long a job's last run took; an interrupted one did not finish, so says nothing. */
function durationOf(r: JobResult | undefined): number | undefined {
  return r === undefined || r.status === 'interrupted' ? undefined : r.durationMs;
}
