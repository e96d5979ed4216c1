// bench/batch.mjs: the one changed verdict is a one-sided sign test over the
// rounds' excess (runner - tool - no-op): FAIL only when so many rounds are
// over that even odds would give that count at most alpha of the time.
import { expect, test } from 'vitest';
// @ts-expect-error -- a plain ES module of the bench, without types
import { pairedVerdict } from '../../../bench/batch.mjs';

type Verdict = { rounds: number; over: number; failAt: number; medianExcessMs: number; pass: boolean };
const verdict = pairedVerdict as (excessMs: number[], alpha: number) => Verdict;

test('the count that fails is the smallest whose chance at even odds is within alpha', () => {
  // 9 rounds: P(>= 8 over) = 10/512 = 2%, P(>= 7) = 46/512 = 9%.
  expect(verdict(Array(9).fill(1), 0.05).failAt).toBe(8);
  // 5 rounds: only all 5 over (1/32 = 3%); 4 rounds cannot reach 5% at all.
  expect(verdict(Array(5).fill(1), 0.05).failAt).toBe(5);
  expect(verdict(Array(4).fill(1), 0.05).failAt).toBe(5);
  // 12 rounds: P(>= 10) = 79/4096 = 1.9%, P(>= 9) = 299/4096 = 7.3%.
  expect(verdict(Array(12).fill(1), 0.05).failAt).toBe(10);
});

test('rounds over are counted strictly; the verdict turns at failAt', () => {
  const sevenOver = [3, -1, 2, 3, 4, 5, 6, 7, -2];
  expect(verdict(sevenOver, 0.05)).toEqual({ rounds: 9, over: 7, failAt: 8, medianExcessMs: 3, pass: true });
  const eightOver = [3, 1, 2, 3, 4, 5, 6, 7, -2];
  expect(verdict(eightOver, 0.05)).toMatchObject({ over: 8, pass: false });
  // A round exactly at the bound is not over.
  expect(verdict([0, 0, 0, 0, 0, 0, 0, 0, 0], 0.05)).toMatchObject({ over: 0, pass: true });
  // All under: pass, with the median excess negative.
  expect(verdict([-5, -4, -3, -2, -1], 0.05)).toMatchObject({ over: 0, medianExcessMs: -3, pass: true });
});
