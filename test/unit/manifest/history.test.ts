import { describe, expect, it } from 'vitest';
import { type Stored, leastRecentlyUsed, putFirst } from '../../../src/manifest/history.js';
import type { JobResult } from '../../../src/manifest/index.js';
import type { Digest, Fingerprint, LatchId, RelPath } from '../../../src/types.js';

function result(path: string, fp: string, usedAt: number, logBytes = 0): JobResult {
  return {
    tool: 't',
    path: path as RelPath,
    fingerprint: fp as Fingerprint,
    latchId: 'l' as LatchId,
    digest: 'd' as Digest,
    status: 'passed',
    end: { kind: 'exit', code: 0 },
    durationMs: 1,
    hasLog: logBytes > 0,
    depsDigest: '',
    deps: '',
    finishedAt: usedAt,
    usedAt,
    logBytes,
  };
}

describe('putFirst', () => {
  it('a reused result moves to the front and pushes nothing out', () => {
    const a = result('f', 'A', 1);
    const b = result('f', 'B', 2);
    const again = { ...a, usedAt: 3 };
    const out = putFirst([b, a], again, 2);
    expect(out).toEqual({ stored: [again, b], replaced: a, dropped: [] });
  });

  it('a new result past the bound pushes out the least recently used', () => {
    const a = result('f', 'A', 1);
    const b = result('f', 'B', 2);
    const c = result('f', 'C', 3);
    expect(putFirst([b, a], c, 2)).toEqual({ stored: [c, b], replaced: null, dropped: [a] });
  });
});

describe('leastRecentlyUsed', () => {
  const table = (...entries: [string, Stored][]): Map<string, Map<RelPath, Stored>> =>
    new Map([['t', new Map(entries as [RelPath, Stored][])]]);

  it('drops nothing within the bounds', () => {
    const r = table(['a', result('a', 'A', 1)]);
    expect(leastRecentlyUsed(r, { count: 1, logBytes: 0 }, { maxResults: 1, maxLogBytes: 10 }, () => false)).toEqual(
      [],
    );
  });

  it('drops the least recently used first, over the count', () => {
    const old = result('gone', 'G', 1);
    const newer = result('gone2', 'H', 5);
    const r = table(['gone', old], ['gone2', newer]);
    expect(leastRecentlyUsed(r, { count: 2, logBytes: 0 }, { maxResults: 1, maxLogBytes: 10 }, () => false)).toEqual([
      old,
    ]);
  });

  it("never drops a current job's latest result, even when it is the oldest", () => {
    const head = result('here', 'A', 1, 100);
    const older = result('here', 'B', 2, 100);
    const gone = result('gone', 'C', 3, 100);
    const r = table(['here', [head, older]], ['gone', gone]);
    expect(
      leastRecentlyUsed(r, { count: 3, logBytes: 300 }, { maxResults: 10, maxLogBytes: 100 }, (p) => p === 'here'),
    ).toEqual([older, gone]);
  });
});
