import { describe, expect, it } from 'vitest';
import type { LatchedTool, ToolLatch } from '../../../src/config/index.js';
import { TOOL_DEFAULTS } from '../../../src/config/schema.js';
import type { FileEntry, JobResult } from '../../../src/manifest/index.js';
import type { OutputsState } from '../../../src/outputs/index.js';
import { type JobDeps, type PlanInput, fingerprintJob, planJob, planJobs } from '../../../src/plan/index.js';
import type { Digest, LatchId, RelPath } from '../../../src/types.js';

const P = 'a.py' as RelPath;
const D1 = 'd1' as Digest;
const D2 = 'd2' as Digest;

function tool(
  name: string,
  latchId: string,
  env: Record<string, string> = {},
  command: string[] = ['lint', '{file}'],
): LatchedTool {
  const latch: ToolLatch = {
    tool: {
      command,
      deps: 'none',
      depfile: null,
      timeout: null,
      pty: false,
      inputs: [],
      mergeEnv: false,
      passThroughEnv: [],
    },
    env,
    executables: [],
    inputs: {},
  };
  return {
    config: { ...TOOL_DEFAULTS, name, command },
    latch,
    latchId: latchId as LatchId,
    env: {},
    program: '/bin/lint',
    shell: false,
    inputPaths: [],
    inputWarnings: [],
  };
}

function result(t: LatchedTool, digest: Digest, status: JobResult['status'] = 'passed'): JobResult {
  return {
    tool: t.config.name,
    path: P,
    fingerprint: fingerprintJob(t.config.name, t.latchId, P, digest),
    latchId: t.latchId,
    digest,
    status,
    end: { kind: 'exit', code: status === 'passed' ? 0 : 1 },
    durationMs: 1,
    hasLog: true,
    finishedAt: 0,
    usedAt: 0,
    logBytes: 0,
    depsDigest: '',
    deps: '',
  };
}

function input(
  t: LatchedTool,
  digest: Digest,
  history: JobResult[],
  extra: Partial<PlanInput> = {},
  latches: LatchedTool[] = [t],
): PlanInput {
  const file: FileEntry = { size: 1, mtimeMs: 1, ctimeMs: 1, ino: 1, digest, seen: 0, changedAt: 0 };
  return {
    tools: [t],
    toolFilters: [() => true],
    files: new Map([[P, file]]),
    newFiles: new Set(),
    history: () => history,
    latchOf: (r) => latches.find((l) => l.latchId === r.latchId)?.latch,
    hasLog: () => true,
    ...extra,
  };
}

const verdictOf = (i: PlanInput) => {
  const t = i.tools[0]!;
  const [path, entry] = [...i.files][0]!;
  return planJob(i, t, path, entry.digest).verdict;
};

describe('planJobs', () => {
  it('a job with a passed result under the same fingerprint is fresh', () => {
    const t = tool('lint', 'L1');
    expect(verdictOf(input(t, D1, [result(t, D1)])).state).toBe('fresh');
  });

  it('a changed digest makes the job stale with the digests from and to', () => {
    const t = tool('lint', 'L1');
    expect(verdictOf(input(t, D2, [result(t, D1)]))).toEqual({
      state: 'stale',
      reasons: [{ kind: 'content', from: D1, to: D2 }],
    });
  });

  it('names the env variable whose value changed', () => {
    const before = tool('lint', 'L1', { DEMO: '#aaa', HOME: '#h' });
    const now = tool('lint', 'L2', { DEMO: '#bbb', HOME: '#h' });
    expect(verdictOf(input(now, D1, [result(before, D1)], {}, [before, now]))).toEqual({
      state: 'stale',
      reasons: [{ kind: 'env', name: 'DEMO', from: '#aaa', to: '#bbb' }],
    });
  });

  it('names the tool-config key that changed', () => {
    const before = tool('lint', 'L1', {}, ['lint', '{file}']);
    const now = tool('lint', 'L2', {}, ['lint', '--strict', '{file}']);
    const v = verdictOf(input(now, D1, [result(before, D1)], {}, [before, now]));
    expect(v).toEqual({
      state: 'stale',
      reasons: [{ kind: 'tool-config', key: 'command', from: ['lint', '{file}'], to: ['lint', '--strict', '{file}'] }],
    });
  });

  it('an unchanged failing job is a cached failure, not rerun', () => {
    const t = tool('lint', 'L1');
    const failed = result(t, D1, 'failed');
    expect(verdictOf(input(t, D1, [failed]))).toEqual({ state: 'cached-failure', result: failed });
  });

  it('--rerun-failed turns a cached failure into a stale job', () => {
    const t = tool('lint', 'L1');
    expect(verdictOf(input(t, D1, [result(t, D1, 'failed')], { rerunFailed: true }))).toEqual({
      state: 'stale',
      reasons: [{ kind: 'rerun-failed' }],
    });
  });

  it('issue 16: a hit whose outputs are intact is fresh; changed but kept, fresh with them to restore; gone, stale', () => {
    const t = tool('lint', 'L1');
    const writes = { ...t, config: { ...t.config, outputs: ['{file}.o'] } };
    const r = result(writes, D1);
    const entry = { path: 'a.py.o' as RelPath, mode: 0o644, digest: D2, size: 1 };
    const plan = (state: OutputsState) => planJobs(input(writes, D1, [r], { outputsOf: () => state, latest: () => r }));
    expect(plan({ kind: 'intact' })).toEqual({ jobs: [], fresh: 1, unchecked: [], reused: [] });
    const restoring = plan({ kind: 'restore', outputs: [entry] });
    expect(restoring.fresh).toBe(1);
    expect(restoring.restore?.map((p) => p.verdict)).toEqual([{ state: 'fresh', result: r, restore: [entry] }]);
    expect(plan({ kind: 'missing' }).jobs.map((p) => p.verdict)).toEqual([
      { state: 'stale', reasons: [{ kind: 'outputs-missing' }] },
    ]);
    // A tool without outputs is never asked.
    expect(planJobs(input(t, D1, [result(t, D1)], { outputsOf: () => ({ kind: 'missing' }) })).fresh).toBe(1);
  });

  it('a result whose log has gone missing is no hit', () => {
    const t = tool('lint', 'L1');
    const r = result(t, D1);
    expect(verdictOf(input(t, D1, [r], { hasLog: () => false }))).toEqual({
      state: 'stale',
      reasons: [{ kind: 'log-missing', log: `${r.fingerprint}-${r.finishedAt}.log` }],
    });
  });

  it('an interrupted result is no hit', () => {
    const t = tool('lint', 'L1');
    expect(verdictOf(input(t, D1, [result(t, D1, 'interrupted')]))).toEqual({
      state: 'stale',
      reasons: [{ kind: 'interrupted' }],
    });
  });

  it('issue 14: an unjudged result (its chunk failed, the narrowing stopped) is no hit, and says why', () => {
    const t = tool('lint', 'L1');
    const unjudged = { ...result(t, D1, 'interrupted'), unjudged: { kind: 'budget' as const, processes: 16 } };
    expect(verdictOf(input(t, D1, [unjudged]))).toEqual({
      state: 'stale',
      reasons: [{ kind: 'unjudged', stop: 'budget', processes: 16 }],
    });
  });

  it('undoing a change finds the older result in the history and runs nothing', () => {
    const t = tool('lint', 'L1');
    expect(verdictOf(input(t, D1, [result(t, D2), result(t, D1)])).state).toBe('fresh');
  });

  it('--force runs a fresh job', () => {
    const t = tool('lint', 'L1');
    expect(verdictOf(input(t, D1, [result(t, D1)], { force: true }))).toEqual({
      state: 'stale',
      reasons: [{ kind: 'forced' }],
    });
  });

  it('tells a new file from a known file that was never run', () => {
    const t = tool('lint', 'L1');
    expect(verdictOf(input(t, D1, [], { newFiles: new Set([P]) }))).toEqual({
      state: 'stale',
      reasons: [{ kind: 'new' }],
    });
    expect(verdictOf(input(t, D1, []))).toEqual({ state: 'stale', reasons: [{ kind: 'never-run' }] });
  });

  it("runs rather than skips when the last result's latch is unknown", () => {
    const before = tool('lint', 'L1');
    const now = tool('lint', 'L2');
    const v = verdictOf(input(now, D1, [result(before, D1)], {}, [now]));
    expect(v.state).toBe('stale');
  });

  it("honours --tool and file restrictions and each tool's own filter", () => {
    const a = tool('a', 'LA');
    const b = tool('b', 'LB');
    const i = { ...input(a, D1, []), tools: [a, b], toolFilters: [() => true, () => false] };
    expect(planJobs(i).jobs.map((p) => p.job.tool.config.name)).toEqual(['a']);
    expect(planJobs({ ...i, onlyTools: new Set(['b']) })).toEqual({ jobs: [], fresh: 0, unchecked: [], reused: [] });
    expect(planJobs({ ...i, onlyFile: () => false })).toEqual({ jobs: [], fresh: 0, unchecked: [], reused: [] });
  });

  it('issue 10: a file that cannot be read has a job per tool that takes it, never fresh and never planned to run', () => {
    const t = tool('lint', 'L1');
    const reason = { kind: 'unreadable', path: 'pkg', why: 'directory cannot be read (EACCES)' } as const;
    const i = input(t, D1, [result(t, D1)], { unreadable: [{ path: 'pkg/b.py' as RelPath, reason }] });
    expect(planJobs(i)).toEqual({
      jobs: [],
      fresh: 1,
      unchecked: [{ tool: t, path: 'pkg/b.py', reasons: [reason] }],
      reused: [],
    });
    expect(planJobs({ ...i, toolFilters: [(p) => p === P] }).unchecked).toEqual([]);
    expect(planJobs({ ...i, onlyFile: (p) => p === P }).unchecked).toEqual([]);
    expect(planJobs({ ...i, onlyTools: new Set(['other']) }).unchecked).toEqual([]);
  });

  it('counts fresh jobs without listing them, and lists every other job', () => {
    const t = tool('lint', 'L1');
    expect(planJobs(input(t, D1, [result(t, D1)]))).toEqual({ jobs: [], fresh: 1, unchecked: [], reused: [] });
    expect(planJobs(input(t, D1, [result(t, D1)], { hasLog: () => false })).jobs.map((p) => p.verdict.state)).toEqual([
      'stale',
    ]);
    expect(planJobs(input(t, D1, [result(t, D1, 'failed')])).jobs.map((p) => p.verdict.state)).toEqual([
      'cached-failure',
    ]);
    // An older hit is reused: the history moves it to the front (issue 10).
    expect(planJobs(input(t, D1, [result(t, D2), result(t, D1)]))).toEqual({
      jobs: [],
      fresh: 1,
      unchecked: [],
      reused: [result(t, D1)],
    });
  });
});

describe('planJobs with dependencies', () => {
  const deps = (entries: [string, string][], via: Record<string, string[]> = {}): JobDeps => ({
    digest: entries.map((e) => e.join('=')).join(','),
    entries,
    via: (p) => via[p] ?? [],
  });
  const ran = (t: LatchedTool, d: JobDeps): JobResult => {
    const r = result(t, D1);
    const fingerprint = fingerprintJob(t.config.name, t.latchId, P, D1, d.digest);
    return { ...r, fingerprint, depsDigest: d.digest, deps: JSON.stringify(d.entries) };
  };

  it('a job whose dependencies are as they were is fresh', () => {
    const t = tool('test', 'L1');
    const d = deps([
      ['api.py', 'a1'],
      ['util.py', 'u1'],
    ]);
    expect(planJobs({ ...input(t, D1, [ran(t, d)]), depsOf: () => d })).toEqual({
      jobs: [],
      fresh: 1,
      unchecked: [],
      reused: [],
    });
  });

  it('a changed transitive dependency makes it stale, naming the import chain', () => {
    const t = tool('test', 'L1');
    const before = deps([
      ['api.py', 'a1'],
      ['util.py', 'u1'],
    ]);
    const now = deps(
      [
        ['api.py', 'a1'],
        ['util.py', 'u2'],
      ],
      { 'util.py': ['a.py', 'api.py', 'util.py'] },
    );
    const plan = planJobs({ ...input(t, D1, [ran(t, before)]), depsOf: () => now });
    expect(plan.jobs.map((p) => p.verdict)).toEqual([
      {
        state: 'stale',
        reasons: [{ kind: 'dependency', path: 'util.py', change: 'changed', via: ['a.py', 'api.py', 'util.py'] }],
      },
    ]);
    expect(plan.jobs[0]!.job.fingerprint).toBe(fingerprintJob('test', t.latchId, P, D1, now.digest));
  });

  it('a dependency that appears or goes away makes it stale too', () => {
    const t = tool('test', 'L1');
    const before = deps([
      ['api.py', 'a1'],
      ['?missing_mod', 'unresolved'],
    ]);
    const now = deps([
      ['api.py', 'a1'],
      ['missing_mod.py', 'm1'],
    ]);
    const verdict = planJob({ ...input(t, D1, [ran(t, before)]), depsOf: () => now }, t, P, D1).verdict;
    expect(verdict).toEqual({
      state: 'stale',
      reasons: [
        { kind: 'dependency', path: 'missing_mod.py', change: 'added', via: [] },
        { kind: 'dependency', path: '?missing_mod', change: 'removed', via: [] },
      ],
    });
  });

  it('keeps the fingerprint of a tool without deps as it was before deps existed', () => {
    expect(fingerprintJob('lint', 'L1' as LatchId, P, D1, '')).toBe(fingerprintJob('lint', 'L1' as LatchId, P, D1));
  });
});

describe('planJobs with digests read in place (issue 17)', () => {
  it("issue 17: takes each file and its digest from the table's forEachDigest, in order, looking none up by path", () => {
    const t = tool('lint', 'L1');
    const Q = 'b.py' as RelPath;
    const fresh = result(t, D1);
    // a.py is fresh under D1; b.py has no result. Lookups by path would throw.
    const table: ReadonlyMap<RelPath, FileEntry> = Object.assign(new Map<RelPath, FileEntry>(), {
      get: (): never => {
        throw new Error('looked up by path');
      },
      forEachDigest: (fn: (path: RelPath, digest: typeof D1) => void) => {
        fn(P, D1);
        fn(Q, D2);
      },
    });
    const plan = planJobs({
      ...input(t, D1, []),
      files: table,
      digestOf: () => {
        throw new Error('looked up by path');
      },
      history: (_tool, p) => (p === P ? [fresh] : []),
    });
    expect(plan.fresh).toBe(1);
    expect(plan.jobs.map((j) => [j.job.path, j.job.digest, j.verdict.state])).toEqual([[Q, D2, 'stale']]);
  });

  it("issue 17: a narrowed map of files (a watch cycle's) is judged as itself, never as the whole table behind it", () => {
    const t = tool('lint', 'L1');
    const Q = 'b.py' as RelPath;
    const narrowed = new Map<RelPath, FileEntry>([[Q, { digest: D2 } as FileEntry]]);
    const plan = planJobs({
      ...input(t, D1, []),
      files: narrowed,
      digestOf: (p) => (p === Q ? D2 : D1),
      history: () => [],
      listFresh: true,
    });
    expect(plan.listed!.map((j) => j.job.path)).toEqual([Q]);
  });
});
