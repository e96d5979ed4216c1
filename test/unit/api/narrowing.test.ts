// The narrowing of a failed chunk as pure logic (issue 14): which processes
// run, how many, and each file's verdict, for tools whose failures are known.
import { expect, test } from 'vitest';
import { Narrowing, type ProcessVerdict } from '../../../src/api/narrowing.js';

/** Runs a narrowing to its end: `judge` says how a process over some files ends. */
function narrow(n: number, judge: (files: number[]) => ProcessVerdict<number>) {
  const files = Array.from({ length: n }, (_, i) => i + 1);
  const search = new Narrowing(files);
  const ran: string[] = [files.join(' ')];
  for (let next = search.ended(judge(files)); next !== null; next = search.ended(judge(next))) ran.push(next.join(' '));
  expect(search.isOver).toBe(true);
  const verdicts = search.verdicts();
  const failed = files.filter((f) => verdicts.get(f)?.status === 'failed');
  expect(files.every((f) => verdicts.has(f))).toBe(true);
  return { ran, failed, verdicts };
}

/** A tool that fails on any process holding one of `bad`. */
const failsOn =
  (...bad: number[]) =>
  (files: number[]): ProcessVerdict<number> =>
    files.some((f) => bad.includes(f)) ? { kind: 'failed' } : { kind: 'passed' };

test('issue 14: one bad file among n is found with about log2(n) + 2 processes, and only it fails', () => {
  for (const [n, bad] of [
    [2, 1],
    [2, 2],
    [8, 3],
    [100, 1],
    [100, 100],
    [100, 37],
    [500, 250],
    [1000, 999],
  ] as const) {
    const { ran, failed } = narrow(n, failsOn(bad));
    expect(failed).toEqual([bad]);
    // The planned chunk, then at most ⌈log2 n⌉ + 2 more.
    expect(ran.length - 1).toBeLessThanOrEqual(Math.ceil(Math.log2(n)) + 2);
  }
});

test('issue 14: only the first half runs; a failed half sets the other aside, and what was set aside runs once, together', () => {
  expect(narrow(8, failsOn(3)).ran).toEqual(['1 2 3 4 5 6 7 8', '1 2 3 4', '1 2', '3', '4 5 6 7 8']);
  // A passing first half makes the second suspected: searched without running it whole.
  expect(narrow(8, failsOn(8)).ran).toEqual(['1 2 3 4 5 6 7 8', '1 2 3 4', '5 6', '7', '8']);
});

test('issue 14: two bad files are both found: the one set aside is searched when its process fails', () => {
  const { ran, failed } = narrow(8, failsOn(2, 7));
  expect(failed).toEqual([2, 7]);
  expect(ran).toEqual(['1 2 3 4 5 6 7 8', '1 2 3 4', '1 2', '1', '2', '3 4 5 6 7 8', '3 4 5', '6 7', '6', '7', '8']);
});

test('issue 14: files that fail only together all fail with the process that showed it (in doubt, a failure)', () => {
  const together = (files: number[]): ProcessVerdict<number> =>
    files.includes(1) && files.includes(2) ? { kind: 'failed' } : { kind: 'passed' };
  const { ran, failed, verdicts } = narrow(2, together);
  expect(ran).toEqual(['1 2', '1', '2']);
  expect(failed).toEqual([1, 2]);
  expect(verdicts.get(1)?.by).toBe(0);

  // Beside a file that fails alone: the chunk is explained by it, but the clash inside its set-aside part is not.
  const mixed = (files: number[]): ProcessVerdict<number> =>
    files.includes(1) || (files.includes(3) && files.includes(4)) ? { kind: 'failed' } : { kind: 'passed' };
  const m = narrow(4, mixed);
  expect(m.ran).toEqual(['1 2 3 4', '1 2', '1', '2 3 4', '2 3', '4']);
  expect(m.failed).toEqual([1, 2, 3, 4]);
  // 2 fails with "2 3 4" (unexplained: 2 3 and 4 passed), the smallest unexplained process around it.
  expect(m.verdicts.get(2)?.by).toBe(3);
});

test('issue 14: a clash found in a smaller failed process explains the chunk: a file outside it that passed keeps its pass', () => {
  const together = (files: number[]): ProcessVerdict<number> =>
    files.includes(1) && files.includes(2) ? { kind: 'failed' } : { kind: 'passed' };
  const { ran, failed, verdicts } = narrow(3, together);
  expect(ran).toEqual(['1 2 3', '1 2', '1', '2', '3']);
  // "1 2" failed while each passed alone: both fail with it; "1 2 3" is explained by "1 2", so 3 passes.
  expect(failed).toEqual([1, 2]);
  expect(verdicts.get(1)?.by).toBe(1);
  expect(verdicts.get(3)).toEqual({ status: 'passed', by: 4 });
});

test('issue 14: files a failure pattern names fail; the others of that process pass without another process', () => {
  const named = (files: number[]): ProcessVerdict<number> =>
    files.includes(5) ? { kind: 'named', files: new Set([5]) } : { kind: 'passed' };
  const { ran, failed } = narrow(8, named);
  expect(ran).toEqual(['1 2 3 4 5 6 7 8']);
  expect(failed).toEqual([5]);
});

test('issue 14: a failure the pattern does not explain is narrowed, and a later named file explains it', () => {
  // The whole chunk fails naming nothing; a half of it fails naming 6.
  const judge = (files: number[]): ProcessVerdict<number> =>
    files.length === 8
      ? { kind: 'failed' }
      : files.includes(6)
        ? { kind: 'named', files: new Set([6]) }
        : { kind: 'passed' };
  const { ran, failed } = narrow(8, judge);
  expect(ran).toEqual(['1 2 3 4 5 6 7 8', '1 2 3 4', '5 6', '7 8']);
  expect(failed).toEqual([6]);
});

test('issue 14: cut short, only certain verdicts are given', () => {
  const search = new Narrowing([1, 2, 3, 4]);
  expect(search.ended({ kind: 'failed' })).toEqual([1, 2]);
  expect(search.ended({ kind: 'passed' })).toEqual([3]);
  // 1 and 2 passed, but the chunk's failure is not explained yet: should 3 and 4 pass alone, all four fail.
  expect(search.verdicts().size).toBe(0);
  expect(search.ended({ kind: 'failed' })).toEqual([4]);
  // 3 failed alone, explaining the chunk: 1 and 2 keep their pass; 4 is still to run.
  expect([...search.verdicts()].map(([f, v]) => [f, v.status])).toEqual([
    [1, 'passed'],
    [2, 'passed'],
    [3, 'failed'],
  ]);
});
