// The narrowing of a failed chunk as pure logic (issue 14): which processes
// run, how many, and each file's verdict, for tools whose failures are known.
import { expect, test } from 'vitest';
import { Narrowing, type ProcessVerdict, narrowingBudget } from '../../../src/api/narrowing.js';

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

/** Runs a narrowing under `budget` until it ends or stops: what ran, the verdicts, and the unjudged files. */
function narrowWithin(n: number, budget: number, judge: (files: number[]) => ProcessVerdict<number>) {
  const files = Array.from({ length: n }, (_, i) => i + 1);
  const search = new Narrowing(files, budget);
  const ran: number[][] = [files];
  for (let next = search.ended(judge(files)); next !== null; next = search.ended(judge(next))) ran.push(next);
  expect(search.isOver).toBe(true);
  const verdicts = search.verdicts();
  const unjudged = search.unjudged();
  // Every file has a verdict or is unjudged, never both.
  expect(files.every((f) => verdicts.has(f) !== unjudged.has(f))).toBe(true);
  const with_ = (status: string): number[] => files.filter((f) => verdicts.get(f)?.status === status);
  return { search, ran, failed: with_('failed'), passed: with_('passed'), unjudged };
}

/** A tool that fails whatever it is given, printing the same each time (pytest's exit 4 when conftest.py cannot import). */
const alwaysFails = (): ProcessVerdict<number> => ({ kind: 'failed', sameOutput: true });

test('issue 14: the default budget is 2 (ceil(log2 n) + 2) narrowing processes', () => {
  expect([1, 2, 8, 64, 100, 1000, 4096].map(narrowingBudget)).toEqual([4, 6, 10, 16, 18, 24, 28]);
});

test('issue 14: one or two bad files among 1,000 are still found alone within the default budget', () => {
  const n = 1000;
  const budget = narrowingBudget(n);
  for (let bad = 1; bad <= n; bad += 3) {
    const r = narrowWithin(n, budget, failsOn(bad));
    expect(r.failed).toEqual([bad]);
    expect(r.search.stopped).toBeNull();
  }
  for (let a = 1; a <= n; a += 61) {
    for (let b = a + 1; b <= n; b += 89) {
      const r = narrowWithin(n, budget, failsOn(a, b));
      expect(r.failed, `bad ${a} and ${b}`).toEqual([a, b]);
      expect(r.search.stopped).toBeNull();
    }
  }
});

test('issue 14: a chunk whose every file fails stops at its budget: no file passes, the unsettled ones are unjudged', () => {
  const everyFile = (): ProcessVerdict<number> => ({ kind: 'failed' }); // each process prints its own files
  const r = narrowWithin(64, narrowingBudget(64), everyFile);
  expect(r.ran.length - 1).toBe(narrowingBudget(64));
  expect(r.search.stopped).toEqual({ kind: 'budget', processes: 16 });
  expect(r.passed).toEqual([]);
  // Those that failed alone keep their failure; the others are unjudged, each with the smallest failed process holding it.
  expect(r.failed.length).toBeGreaterThan(0);
  expect(r.failed.length + r.unjudged.size).toBe(64);
  for (const [f, by] of r.unjudged) {
    expect(r.ran[by]).toContain(f);
    const smaller = r.ran.filter((p, i) => i > 0 && p.includes(f) && p.length < r.ran[by]!.length);
    expect(smaller, `file ${f}`).toEqual([]);
  }
});

test('issue 14: a stop keeps settled verdicts: a file that passed beside one that failed alone keeps its pass', () => {
  const r = narrowWithin(8, 4, failsOn(2, 7));
  expect(r.ran.map((p) => p.join(' '))).toEqual(['1 2 3 4 5 6 7 8', '1 2 3 4', '1 2', '1', '2']);
  expect(r.search.stopped).toEqual({ kind: 'budget', processes: 4 });
  expect(r.failed).toEqual([2]);
  expect(r.passed).toEqual([1]);
  // 3 and 4 never ran without 1 or 2; 5 to 8 were set aside: nothing earned them a pass, nor a failure of their own.
  expect([...r.unjudged.keys()]).toEqual([3, 4, 5, 6, 7, 8]);
  expect(r.unjudged.get(3)).toBe(1); // "1 2 3 4"
  expect(r.unjudged.get(5)).toBe(0); // only the chunk held it
});

test('issue 14: a budget of 0 runs nothing after the failed chunk: every file is unjudged', () => {
  const r = narrowWithin(5, 0, failsOn(3));
  expect(r.ran).toHaveLength(1);
  expect(r.search.stopped).toEqual({ kind: 'budget', processes: 0 });
  expect([...r.unjudged]).toEqual([1, 2, 3, 4, 5].map((f) => [f, 0]));
  // A failure pattern judges every file in the chunk itself: nothing is left unjudged.
  const named = narrowWithin(5, 0, (files) =>
    files.includes(3) ? { kind: 'named', files: new Set([3]) } : { kind: 'passed' },
  );
  expect(named.search.stopped).toBeNull();
  expect(named.failed).toEqual([3]);
  expect(named.unjudged.size).toBe(0);
});

test("issue 14: a dense failure (the first file fails alone, all the others together print the chunk's output) stops early", () => {
  const r = narrowWithin(64, narrowingBudget(64), alwaysFails);
  // Halves down to the first file (6), then the 63 others as one.
  expect(r.ran.map((p) => p.length)).toEqual([64, 32, 16, 8, 4, 2, 1, 63]);
  expect(r.search.stopped).toEqual({ kind: 'dense', processes: 7 });
  expect(r.failed).toEqual([1]);
  expect(r.unjudged.size).toBe(63);
  // Each with the smallest failed process holding it: 2 with "1 2", 33 to 64 with the 63 others.
  expect(r.unjudged.get(2)).toBe(5);
  expect(r.unjudged.get(64)).toBe(7);

  // The first file alone may fail otherwise (pip's vendored tests, alone, fail on pytest's options): still dense.
  const otherwise = narrowWithin(64, narrowingBudget(64), (files) => ({
    kind: 'failed',
    sameOutput: files.length !== 1,
  }));
  expect(otherwise.search.stopped).toEqual({ kind: 'dense', processes: 7 });

  // Two bad files, the first one first, each named in the output: not dense, both found alone.
  const two = narrowWithin(64, narrowingBudget(64), (files) =>
    files.includes(1) || files.includes(40) ? { kind: 'failed', sameOutput: false } : { kind: 'passed' },
  );
  expect(two.search.stopped).toBeNull();
  expect(two.failed).toEqual([1, 40]);
  expect(two.passed).toHaveLength(62);
});
