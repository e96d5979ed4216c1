// `runner run --shard I/N` (issue 16, point 6): N CI machines, each a clone
// at its own path, each run one shard; together they run every stale job
// exactly once. Each clone is a temp copy of fixtures/python-demo with a
// one-file probe and a batch probe on every file; what really ran is counted
// from the probes' logs, and which shard holds which job from --json, which
// lists every job of the shard (fresh ones as cached passes).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { batchFilesRun, batchProbeTool } from '../helpers/batch-probe.js';
import { baseEnv, type JobJson, runJson, runRunner, show } from '../helpers/cli.js';
import { validateJunit } from '../helpers/junit.js';
import { probeTool, readProbeLog } from '../helpers/probe.js';
import { type Sandbox, readConfig, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

interface ShardJson {
  exitCode: number;
  counts: { jobs: number; ran: number; fresh: number };
  jobs: JobJson[];
  shard?: { index: number; count: number; assignment: string };
}

const EXTRA = ['extra/m1.py', 'extra/m2.py', 'extra/m3.py', 'extra/m4.py', 'extra/m5.py', 'extra/m6.py'];
const FILES = [
  'calc/__init__.py',
  'calc/ops.py',
  'calc/stats.py',
  'tests/test_ops.py',
  'tests/test_stats.py',
  'tools/linelen.py',
  ...EXTRA,
].sort();
const ALL_JOBS = [...FILES.map((f) => `probe ${f}`), ...FILES.map((f) => `batch ${f}`)].sort();

/**
 * A clone: python-demo plus six files, with the probe and the batch probe on every file. The probes
 * find their log directory in PROBE_DIR, passed through unlatched, so every clone has the same config.
 */
function clone(): Sandbox {
  const sb = useFixture('python-demo');
  EXTRA.forEach((f, i) => writeText(sb, f, `VALUE = ${i}\n`));
  const config = readConfig(sb);
  config.passThroughEnv = ['PATH', 'HOME', 'PROBE_DIR'];
  config.tools = [probeTool(), batchProbeTool()];
  writeConfig(sb, config);
  return sb;
}

/** A second machine that restored `from`'s state: its tree and state directory copied to another path. */
function copyOf(from: Sandbox): Sandbox {
  const sb = useFixture('python-demo');
  fs.rmSync(sb.tree, { recursive: true, force: true });
  fs.cpSync(from.tree, sb.tree, { recursive: true });
  return sb;
}

const envOf = (sb: Sandbox): Record<string, string> => baseEnv({ PROBE_DIR: sb.scratch });

/** Runs `run ARGS --json` in a clone; returns the printed JSON (fresh jobs listed) and the jobs the probes ran. */
async function shardRun(sb: Sandbox, args: string[]): Promise<{ json: ShardJson; ran: string[] }> {
  fs.rmSync(path.join(sb.scratch, 'probe.log'), { force: true });
  fs.rmSync(path.join(sb.scratch, 'batch-probe.log'), { force: true });
  const { res, printed } = await runJson<ShardJson>(['run', ...args], { cwd: sb.tree, env: envOf(sb) });
  expect(res.code, show(res)).toBe(0);
  const ran = [
    ...readProbeLog(sb).started.map((f) => `probe ${f}`),
    ...batchFilesRun(sb).map((f) => `batch ${f}`),
  ].sort();
  return { json: printed, ran };
}

const keys = (jobs: readonly JobJson[]): string[] => jobs.map((j) => `${j.tool} ${j.file}`);

function expectPartition(sets: readonly string[][], all: readonly string[]): void {
  const flat = sets.flat();
  expect(new Set(flat).size, 'a job in two shards').toBe(flat.length);
  expect([...flat].sort()).toEqual(all);
}

describe('issue 16: run --shard I/N', () => {
  test('three shards in three clones at different paths run disjoint jobs whose union is every job, in a stable order', async () => {
    const clones = [clone(), clone(), clone()];
    // What each clone would run for each shard: the same everywhere, in the same order.
    const planned: string[][] = [];
    for (const index of [1, 2, 3]) {
      const seen: string[][] = [];
      for (const sb of clones) {
        const { json, ran } = await shardRun(sb, ['--shard', `${index}/3`, '--dry-run']);
        expect(ran).toEqual([]);
        expect(json.jobs.every((j) => j.status === 'would-run')).toBe(true);
        seen.push(keys(json.jobs));
      }
      expect(seen[1]).toEqual(seen[0]);
      expect(seen[2]).toEqual(seen[0]);
      planned.push(seen[0]!);
    }
    expectPartition(planned, ALL_JOBS);
    // 24 jobs counted (no duration known): 8 each.
    expect(planned.map((p) => p.length)).toEqual([8, 8, 8]);

    // Each machine runs its shard: exactly its planned jobs, each once; together, every job.
    const runs = await Promise.all(clones.map((sb, i) => shardRun(sb, ['--shard', `${i + 1}/3`])));
    runs.forEach((r, i) => {
      expect(r.ran).toEqual([...planned[i]!].sort());
      expect(r.json.shard).toEqual({ index: i + 1, count: 3, assignment: runs[0]!.json.shard!.assignment });
      expect(r.json.counts).toMatchObject({ jobs: 8, ran: 8, fresh: 0 });
    });
    expectPartition(
      runs.map((r) => r.ran),
      ALL_JOBS,
    );
  });

  test('balanced by durations, machines that differ in what is stale, from one restored state, still run each stale job exactly once', async () => {
    const first = clone();
    // The state CI restores on every machine: a full run, so each job's duration is known and weighs in.
    const whole = await shardRun(first, []);
    expect(whole.ran).toEqual(ALL_JOBS);
    const machines = [first, copyOf(first), copyOf(first)];
    // The new commit changes calc/ops.py everywhere; the third machine also has a local change of its own.
    for (const sb of machines) writeText(sb, 'calc/ops.py', 'def add(a, b):\n    return a + b  # changed\n');
    writeText(machines[2]!, 'extra/m5.py', 'VALUE = 55\n');
    const runs = [];
    for (const [i, sb] of machines.entries())
      runs.push(await shardRun(sb, ['--shard', `${i + 1}/3`, '--shard-by', 'durations']));
    // One cut: each machine lists its shard's jobs, fresh or not; together every job, each once.
    expect(new Set(runs.map((r) => r.json.shard!.assignment)).size).toBe(1);
    const owned = runs.map((r) => keys(r.json.jobs));
    expectPartition(owned, ALL_JOBS);
    const ran = runs.map((r) => r.ran);
    expect(new Set(ran.flat()).size).toBe(ran.flat().length);
    // Everywhere stale: calc/ops.py's jobs, each run once, by its own shard.
    for (const job of ['probe calc/ops.py', 'batch calc/ops.py']) {
      const owner = owned.findIndex((o) => o.includes(job));
      expect(ran.flat().filter((j) => j === job)).toEqual([job]);
      expect(ran[owner]).toContain(job);
    }
    // Stale on the third machine only: run there if its shard holds it, else by nobody (fresh on its owner).
    for (const job of ['probe extra/m5.py', 'batch extra/m5.py'])
      expect(ran.flat().filter((j) => j === job)).toEqual(owned[2]!.includes(job) ? [job] : []);
    const expected = ['probe calc/ops.py', 'batch calc/ops.py', 'probe extra/m5.py', 'batch extra/m5.py'];
    expect(ran.flat().every((j) => expected.includes(j))).toBe(true);
  });

  test('by count (the default), machines with different histories still cut the jobs the same way', async () => {
    const a = clone();
    const b = clone();
    // b ran a few jobs before: it knows their durations, a knows none.
    await shardRun(b, ['calc', 'tools']);
    const runs = [await shardRun(a, ['--shard', '1/2']), await shardRun(b, ['--shard', '2/2', '--shard-by', 'count'])];
    expect(runs[0]!.json.shard!.assignment).toBe(runs[1]!.json.shard!.assignment);
    expectPartition(
      runs.map((r) => keys(r.json.jobs)),
      ALL_JOBS,
    );
    expect(runs.map((r) => r.json.jobs.length)).toEqual([12, 12]);
    // b's shard runs only what is stale there: its earlier jobs are fresh.
    expect(runs[1]!.ran.some((j) => j.endsWith(' calc/ops.py') || j.endsWith(' tools/linelen.py'))).toBe(false);
  });

  test('each shard writes its own JUnit report, which says which shard it is', async () => {
    const sb = clone();
    const file = path.join(sb.scratch, 'report.xml');
    const res = await runRunner(['run', '--shard', '2/3', '--junit', file], { cwd: sb.tree, env: envOf(sb) });
    expect(res.code, show(res)).toBe(0);
    validateJunit(file);
    const xml = fs.readFileSync(file, 'utf8');
    expect(xml).toContain('<testsuites name="runner shard 2/3" tests="8"');
    expect(xml.match(/<property name="shard" value="2\/3"\/>/g)).toHaveLength(2); // one per tool's suite
    expect(res.stdout).toContain(
      'runner: 8 jobs (shard 2/3): 8 ran (8 passed, 0 failed), 0 cached failures, 0 fresh in ',
    );
  });

  test.each(['0/3', '4/3', 'x', '1/0'])(
    '--shard %s stops with exit 2 naming the value, running nothing',
    async (value) => {
      const sb = clone();
      const res = await runRunner(['run', '--shard', value], { cwd: sb.tree, env: envOf(sb) });
      expect(res.code, show(res)).toBe(2);
      expect(res.stderr).toBe(
        `runner: error: --shard "${value}": expected I/N, whole numbers with 1 <= I <= N (e.g. 1/3, the first of three shards)\n`,
      );
      expect(readProbeLog(sb).started).toEqual([]);
    },
  );
});
