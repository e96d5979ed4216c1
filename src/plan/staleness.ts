// Compares a job's current inputs with its most recent result and says what
// changed, from what to what. Pure: the plan calls it once; explain prints it.
import type { ToolLatch } from '../config/index.js';
import { decodeDeps } from '../manifest/index.js';
import type { Digest } from '../types.js';

export type StaleReason =
  | { kind: 'new' }
  | { kind: 'content'; from: Digest; to: Digest }
  /**
   * A dependency changed, appeared or went away; via: the import chain from the job's file, when known.
   * 'renamed': the same file outside the tree, named another way (`~/x` under one HOME, `/abs/x` under
   * another): from/to are the last run's name and today's, which the key holds.
   */
  | {
      kind: 'dependency';
      path: string;
      change: DependencyChange;
      via: string[];
      from?: string;
      to?: string;
    }
  | { kind: 'tool-config'; key: string; from: unknown; to: unknown }
  /** from/to are latch forms: "=value", "#hash" (passEnv: value never stored), "unset". */
  | { kind: 'env'; name: string; from: string; to: string }
  /** A program the command runs is another one, by content; from/to: where it is, with its digest when that alone changed. */
  | { kind: 'tool-binary'; name: string; from: string; to: string }
  | { kind: 'tool-input'; path: string; from: string; to: string }
  | { kind: 'never-run' }
  | { kind: 'interrupted' }
  /**
   * Its batch chunk failed last time and the narrowing stopped (its budget of
   * processes spent, or a dense failure) before judging this file alone: it
   * failed with the chunk, unjudged, and was kept as no failure.
   */
  | { kind: 'unjudged'; stop: 'budget' | 'dense'; processes: number }
  | { kind: 'forced' }
  | { kind: 'rerun-failed' }
  | { kind: 'log-missing'; log: string }
  /** The result's outputs are not on disk as it left them, and the store cannot put them back. */
  | { kind: 'outputs-missing' }
  /** The job's file, or the directory above it (path), could not be read: it cannot be fingerprinted, so it is never fresh. */
  | { kind: 'unreadable'; path: string; why: string };

export type StaleReasonKind = StaleReason['kind'];
export type DependencyChange = 'changed' | 'added' | 'removed' | 'renamed';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

type Executable = ToolLatch['executables'][number];

/** The identity the latch id holds (not where the program is on this machine). */
const identityOf = (e: Executable | undefined): unknown => {
  if (e === undefined) return undefined;
  const { where: _where, ...id } = e;
  return id;
};

/** Where a program is; with what tells it apart when both sides are at the same place. */
function describeExecutable(e: Executable | undefined, other: Executable | undefined): string {
  if (e === undefined) return 'none';
  // A latch recorded before programs were identified by content names its path only.
  const legacy = e as unknown as { realPath?: string; where?: Executable['where'] };
  const at = legacy.where?.program ?? legacy.realPath ?? e.name;
  const otherAt = (other as unknown as { where?: Executable['where'] } | undefined)?.where?.program;
  if (at !== otherAt) return at;
  if (e.digest?.startsWith('unresolved') === true) return `${at} (${e.digest})`;
  const parts = [
    e.digest === other?.digest ? null : `content ${e.digest?.slice(0, 12) ?? 'unknown'}`,
    e.package === other?.package ? null : `package ${e.package ?? 'none'}`,
    e.venv === other?.venv ? null : `venv ${e.venv ?? 'none'}`,
  ].filter((p) => p !== null);
  return parts.length === 0 ? at : `${at} (${parts.join(', ')})`;
}

/** A job's dependencies, as a hash, and what explain needs to say which changed. */
export interface JobDeps {
  digest: string;
  /** [path, identity] pairs stored with the result (kinds whose list comes from the run); [] for graph kinds. */
  entries: readonly (readonly [string, string])[];
  /** The chain of files from the job's file to a dependency, when the deps kind knows one. */
  via?: (dep: string) => string[];
  /**
   * Graph kinds store no list: what differs, by content, from the tree whose
   * hash a result recorded (its depsDigest); null when that tree is not kept.
   */
  changesFrom?: (before: string) => { path: string; change: DependencyChange; from?: string; to?: string }[] | null;
  /** Graph kinds: the graph nodes to keep with a result, those isKept does not know ([hash, children, data] rows). */
  nodesToKeep?: (isKept: (hash: string) => boolean) => [string, string, string][];
}

/** Why a graph kind's dependencies differ from those a result recorded, by content. */
export function reasonsFrom(now: JobDeps, before: string): StaleReason[] {
  const changes = now.changesFrom?.(before);
  if (changes === null || changes === undefined) {
    return [
      {
        kind: 'dependency',
        path: "(the last run's dependencies were not kept: one of them changed)",
        change: 'changed',
        via: [],
      },
    ];
  }
  return changes.map(({ path, change, from, to }) => ({
    kind: 'dependency',
    path,
    change,
    via: change === 'removed' ? [] : (now.via?.(path.startsWith('?') ? path.slice(1) : path) ?? []),
    ...(from !== undefined && to !== undefined ? { from, to } : {}),
  }));
}

/** What differs between the dependencies a result ran with and the current ones. */
export function diffDeps(before: string, now: JobDeps): StaleReason[] {
  const old = new Map<string, string>(decodeDeps(before));
  const reasons: StaleReason[] = [];
  const seen = new Set<string>();
  for (const [path, id] of now.entries) {
    seen.add(path);
    const was = old.get(path);
    if (was === id) continue;
    reasons.push({
      kind: 'dependency',
      path,
      change: was === undefined ? 'added' : 'changed',
      via: now.via?.(path) ?? [],
    });
  }
  for (const path of old.keys())
    if (!seen.has(path)) reasons.push({ kind: 'dependency', path, change: 'removed', via: [] });
  return reasons;
}

/** Every difference between the latch of the last result and the current one. */
export function diffLatch(before: ToolLatch, after: ToolLatch): StaleReason[] {
  const reasons: StaleReason[] = [];
  const keys = new Set([...Object.keys(before.tool), ...Object.keys(after.tool)]) as Set<keyof ToolLatch['tool']>;
  for (const key of keys) {
    if (!same(before.tool[key], after.tool[key]))
      // A key only present when set (failurePattern) reads as null when absent, as the config says it.
      reasons.push({ kind: 'tool-config', key, from: before.tool[key] ?? null, to: after.tool[key] ?? null });
  }
  for (const name of new Set([...Object.keys(before.env), ...Object.keys(after.env)])) {
    const from = before.env[name] ?? 'absent';
    const to = after.env[name] ?? 'absent';
    if (from !== to) reasons.push({ kind: 'env', name, from, to });
  }
  const names = new Set([...before.executables.map((e) => e.name), ...after.executables.map((e) => e.name)]);
  for (const name of names) {
    const from = before.executables.find((e) => e.name === name);
    const to = after.executables.find((e) => e.name === name);
    if (!same(identityOf(from), identityOf(to))) {
      reasons.push({ kind: 'tool-binary', name, from: describeExecutable(from, to), to: describeExecutable(to, from) });
    }
  }
  for (const path of new Set([...Object.keys(before.inputs), ...Object.keys(after.inputs)])) {
    const from = before.inputs[path] ?? 'not declared';
    const to = after.inputs[path] ?? 'not declared';
    if (from !== to) reasons.push({ kind: 'tool-input', path, from, to });
  }
  return reasons;
}
