// How a batch tool's stale files are cut into chunks (issue 14): pure, so every rule is checked on plain paths.
import { describe, expect, it } from 'vitest';
import { chunksOf } from '../../../src/build/chunks.js';
import { MAX_ARG_STRLEN, batchArgBudget } from '../../../src/config/spawn-limits.js';

const files = (n: number): string[] => Array.from({ length: n }, (_, i) => `f${String(i).padStart(3, '0')}.py`);
const id = (s: string): string => s;
const limits = { tokens: 4, maxFiles: null, budget: null, cost: (p: string) => p.length + 1 };

describe('chunksOf', () => {
  it('issue 14: few files make as many chunks as tokens, sizes differing by one at most', () => {
    const chunks = chunksOf(files(10), id, limits);
    expect(chunks.map((c) => c.length)).toEqual([3, 3, 2, 2]);
    expect(chunks.flat()).toEqual(files(10));
  });

  it('issue 14: fewer files than tokens give one chunk per file', () => {
    expect(chunksOf(files(3), id, limits)).toEqual([['f000.py'], ['f001.py'], ['f002.py']]);
    expect(chunksOf([], id, limits)).toEqual([]);
  });

  it('issue 14: maxFiles bounds every chunk, and the chunks stay even', () => {
    const chunks = chunksOf(files(100), id, { ...limits, maxFiles: 30 });
    expect(chunks.map((c) => c.length)).toEqual([25, 25, 25, 25]);
    const small = chunksOf(files(100), id, { ...limits, maxFiles: 7 });
    expect(small.length).toBe(15);
    expect(Math.max(...small.map((c) => c.length))).toBeLessThanOrEqual(7);
    expect(Math.max(...small.map((c) => c.length)) - Math.min(...small.map((c) => c.length))).toBeLessThanOrEqual(1);
  });

  it('issue 14: the same stale set gives the same chunks, whatever order it comes in', () => {
    const a = chunksOf(files(50), id, limits);
    const b = chunksOf([...files(50)].reverse(), id, limits);
    expect(b).toEqual(a);
  });

  it('issue 14: no chunk costs more than the budget; a file over it alone is a chunk of its own', () => {
    const long = Array.from({ length: 40 }, (_, i) => `${'d'.repeat(90)}/${String(i).padStart(2, '0')}.py`);
    const chunks = chunksOf(long, id, { tokens: 1, maxFiles: null, budget: 1000, cost: (p) => p.length + 1 });
    for (const c of chunks) expect(c.reduce((sum, p) => sum + p.length + 1, 0)).toBeLessThanOrEqual(1000);
    expect(chunks.flat()).toEqual(long);
    expect(chunks.length).toBe(4); // 97 bytes each: 10 fit in 1000
    expect(chunksOf(['x'.repeat(50)], id, { ...limits, budget: 10 })).toEqual([['x'.repeat(50)]]);
  });
});

describe('batchArgBudget', () => {
  const env = { PATH: '/usr/bin:/bin' };

  it('issue 14: an argv {files} word gives each file a string of its own (its bytes, NUL and pointer)', () => {
    const b = batchArgBudget(['lint', '{files}'], env, 200_000);
    expect(b.cost('ab.py')).toBe(5 + 1 + 8);
    expect(b.cost('-x.py')).toBe(7 + 1 + 8); // given as ./-x.py
    // The limit less the environment, the other words and the per-job room.
    expect(b.budget).toBe(200_000 - ('PATH=/usr/bin:/bin'.length + 9) - ('lint'.length + 9) - 8 * 1024);
  });

  it('issue 14: the string form shares one argument, so it also stays under MAX_ARG_STRLEN', () => {
    const b = batchArgBudget('lint {files}', env, 2_000_000);
    expect(b.cost("it's.py")).toBe(Buffer.byteLength(`'it'\\''s.py'`) + 1);
    expect(b.budget).toBe(MAX_ARG_STRLEN - 1 - 'lint {files}'.length);
  });

  it('issue 14: no known limit, no budget', () => {
    expect(batchArgBudget(['lint', '{files}'], env, null).budget).toBeNull();
  });
});
