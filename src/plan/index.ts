// Public surface of plan/: staleness decisions with their reasons.
export {
  planJobs,
  planJob,
  type Job,
  type Plan,
  type PlannedJob,
  type PlanInput,
  type DepsOf,
  type UncheckedJob,
  type UnreadablePath,
  type Verdict,
} from './plan.js';
export {
  diffDeps,
  diffLatch,
  reasonsFrom,
  type JobDeps,
  type DependencyChange,
  type StaleReason,
  type StaleReasonKind,
} from './staleness.js';
export { fingerprintJob } from './fingerprint.js';
export { type Shard, type ShardedJob, assignShards, parseShard, shardName, shardPlan } from './shard.js';
