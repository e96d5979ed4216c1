// issue 16 point 6: how `run --shard I/N` cuts the jobs (plan/shard.ts), as pure logic:
// a partition, the same whatever order the jobs come in, balanced by durations when known.
import { describe, expect, it } from 'vitest';
import { ShardError } from '../../../src/errors.js';
import { type ShardedJob, assignShards, parseShard } from '../../../src/plan/index.js';
import type { RelPath } from '../../../src/types.js';

const job = (tool: string, path: string, durationMs?: number): ShardedJob => ({
  tool,
  path: path as RelPath,
  durationMs,
});

/** The jobs of each shard, as `tool path` strings, sorted. */
function shardsOf(jobs: readonly ShardedJob[], count: number): string[][] {
  const assigned = assignShards(jobs, count);
  const out: string[][] = Array.from({ length: count }, () => []);
  for (const j of jobs) out[assigned.get(`${j.tool}\0${j.path}`)!]!.push(`${j.tool} ${j.path}`);
  return out.map((s) => s.sort());
}

/** A fixed, seeded shuffle: the test must not depend on the machine either. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const k = x % (i + 1);
    [out[i], out[k]] = [out[k]!, out[i]!];
  }
  return out;
}

const TREE = [
  ...['src/a.py', 'src/b.py', 'src/é.py', 'src/B.py', 'tests/test_a.py', 'tests/test_b.py', 'z.py'].map((p) =>
    job('lint', p),
  ),
  ...['tests/test_a.py', 'tests/test_b.py', 'tests/test_c.py', 'tests/Test_d.py'].map((p) => job('test', p)),
];

describe('issue 16: parsing --shard I/N', () => {
  it.each([
    ['1/1', { index: 1, count: 1 }],
    ['1/3', { index: 1, count: 3 }],
    ['3/3', { index: 3, count: 3 }],
    ['12/40', { index: 12, count: 40 }],
  ])('%s is shard I of N', (value, shard) => {
    expect(parseShard(value)).toEqual(shard);
  });

  it.each(['0/3', '4/3', 'x', '1/0', '0/0', '1/', '/3', '-1/3', '1.5/3', '1/3/5', '', '1 of 3'])(
    '%j is refused with a usage error naming it',
    (value) => {
      let thrown: unknown;
      try {
        parseShard(value);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(ShardError);
      expect((thrown as ShardError).exitCode).toBe(2);
      expect((thrown as ShardError).message).toBe(
        `--shard ${JSON.stringify(value)}: expected I/N, whole numbers with 1 <= I <= N (e.g. 1/3, the first of three shards)`,
      );
    },
  );
});

describe('issue 16: assigning jobs to shards', () => {
  it.each([1, 2, 3, 4, 11, 20])('puts every job in exactly one of %i shards', (count) => {
    const shards = shardsOf(TREE, count);
    const all = shards.flat();
    expect(all.sort()).toEqual(TREE.map((j) => `${j.tool} ${j.path}`).sort());
    expect(new Set(all).size).toBe(TREE.length);
  });

  it('gives the same shards whatever order the jobs come in', () => {
    const once = shardsOf(TREE, 3);
    for (const seed of [1, 7, 42, 1000]) expect(shardsOf(shuffled(TREE, seed), 3)).toEqual(once);
    const timed = TREE.map((j, i) => ({ ...j, durationMs: (i * 37) % 500 }));
    const timedOnce = shardsOf(timed, 3);
    for (const seed of [3, 5]) expect(shardsOf(shuffled(timed, seed), 3)).toEqual(timedOnce);
  });

  it('without known durations, counts jobs: shard sizes differ by at most one', () => {
    for (const count of [2, 3, 4]) {
      const sizes = shardsOf(TREE, count).map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('balances by last known duration: a slow job gets a shard of its own', () => {
    const jobs = [
      job('test', 'slow.py', 60_000),
      ...Array.from({ length: 12 }, (_, i) => job('test', `t${i}.py`, 1000)),
    ];
    const shards = shardsOf(jobs, 2);
    expect(shards).toContainEqual(['test slow.py']);
    expect(shards.find((s) => !s.includes('test slow.py'))).toHaveLength(12);
  });

  it('balances by duration where counting jobs would not', () => {
    // Counting would give each of 2 shards 3 jobs; the two slow ones must not share a shard.
    const jobs = [
      job('test', 'a.py', 8000),
      job('test', 'b.py', 8000),
      job('test', 'c.py', 100),
      job('test', 'd.py', 100),
      job('test', 'e.py', 100),
      job('test', 'f.py', 100),
    ];
    const shards = shardsOf(jobs, 2);
    expect(shards.every((s) => s.filter((j) => j === 'test a.py' || j === 'test b.py').length === 1)).toBe(true);
  });

  it('weighs a job without a known duration as the mean of the known ones', () => {
    const jobs = [
      job('test', 'a.py', 8000),
      job('test', 'b.py', 1000),
      job('test', 'c.py', 1000),
      job('test', 'n1.py'),
      job('test', 'n2.py'),
    ];
    // Weights: a.py 8,192; b.py and c.py 1,024; n1.py and n2.py the mean, 3,333 ms -> 4,096 each.
    // Weighed as 1 ms instead, the new jobs would join b.py and c.py, leaving a.py alone.
    expect(shardsOf(jobs, 2)).toEqual([
      ['test a.py', 'test b.py'],
      ['test c.py', 'test n1.py', 'test n2.py'],
    ]);
  });

  it('duration jitter within a factor of about 1.4 does not move a job', () => {
    const a = TREE.map((j, i) => ({ ...j, durationMs: 1000 + (i % 3) * 10 }));
    const b = TREE.map((j, i) => ({ ...j, durationMs: 1000 - (i % 2) * 40 }));
    expect(shardsOf(b, 3)).toEqual(shardsOf(a, 3));
  });
});
