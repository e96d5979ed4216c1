import { describe, expect, it } from 'vitest';
import { recordedDeps } from '../../../src/deps/index.js';
import {
  type FileEntry,
  type JobResult,
  UNKNOWN_DEPS,
  decodeDepPaths,
  decodeDeps,
  digestEntries,
  encodeDeps,
} from '../../../src/manifest/index.js';
import type { Digest, Fingerprint, LatchId, RelPath } from '../../../src/types.js';

describe('recorded dependencies codec', () => {
  const rows: { name: string; entries: [string, string][]; stored: string }[] = [
    { name: 'an empty list', entries: [], stored: '[]' },
    { name: 'one tracked file', entries: [['src/a.h', 'd1']], stored: '[["src/a.h","d1"]]' },
    {
      name: 'tracked and outside files, with characters JSON escapes',
      entries: [
        ['/usr/include/stdio.h', '812:1700000000000'],
        ['dir/"q"\\b.h', 'd2'],
        ['dir/ü\n.h', 'd3'],
      ],
      stored: '[["/usr/include/stdio.h","812:1700000000000"],["dir/\\"q\\"\\\\b.h","d2"],["dir/ü\\n.h","d3"]]',
    },
  ];
  for (const row of rows) {
    it(`${row.name} encodes to JSON pairs and decodes back`, () => {
      expect(encodeDeps(row.entries)).toBe(row.stored);
      expect(decodeDeps(row.stored)).toEqual(row.entries);
      expect(decodeDepPaths(row.stored)).toEqual(row.entries.map(([p]) => p));
    });
  }

  it('a result that recorded no list decodes to no pairs', () => {
    expect(decodeDeps('')).toEqual([]);
    expect(decodeDepPaths('')).toEqual([]);
  });

  const malformed = [
    ['not JSON', '[["a.h","d1"]'],
    ['an object', '{"a.h":"d1"}'],
    ['a string', '"a.h"'],
    ['a pair cut short', '[["a.h"]]'],
    ['a pair too long', '[["a.h","d1","x"]]'],
    ['an identity that is not a string', '[["a.h",1]]'],
    ['null', 'null'],
  ];
  for (const [name, stored] of malformed) {
    it(`a malformed stored value (${name}) throws rather than decoding to something`, () => {
      expect(() => decodeDeps(stored!)).toThrow();
    });
  }

  it('the digest of the stored pairs equals the digest taken at record time, whatever their order', () => {
    const entries: [string, string][] = [
      ['b.h', '2'],
      ['/x/a.h', '1'],
      ['a.h', '3'],
    ];
    const recorded = digestEntries([...entries]);
    expect(digestEntries(decodeDeps(encodeDeps(entries)))).toBe(recorded);
    expect(digestEntries([...entries].reverse())).toBe(recorded);
    expect(digestEntries([['a.h', '3']])).not.toBe(recorded);
  });
});

describe('recorded dependencies at plan time', () => {
  const files = new Map<RelPath, FileEntry>([
    ['a.h' as RelPath, { size: 1, mtimeMs: 1, ctimeMs: 1, ino: 1, digest: 'da' as Digest, changedAt: 0, seen: 0 }],
  ]);
  const identify = { sourceTree: '/nowhere', files, externalId: () => 'missing' };
  const result = (deps: string, depsDigest: string): JobResult => ({
    tool: 't',
    path: 'main.c' as RelPath,
    fingerprint: 'f' as Fingerprint,
    latchId: 'l' as LatchId,
    digest: 'd' as Digest,
    status: 'passed',
    end: { kind: 'exit', code: 0 },
    durationMs: 1,
    hasLog: false,
    depsDigest,
    deps,
    finishedAt: 1,
    usedAt: 1,
    logBytes: 0,
  });

  it('an unchanged recorded list identifies to the digest it was recorded with', () => {
    const entries: [string, string][] = [['a.h', 'da']];
    const latest = result(encodeDeps(entries), digestEntries([...entries]));
    expect(recordedDeps(latest, 'depfile', identify)?.digest).toBe(latest.depsDigest);
  });

  it('a job that reported nothing never matches its result', () => {
    const latest = result('', UNKNOWN_DEPS);
    expect(recordedDeps(latest, 'depfile', identify)?.digest).not.toBe(UNKNOWN_DEPS);
  });

  it('a malformed recorded list stops the plan: it never yields a digest to compare', () => {
    const latest = result('[["a.h"', digestEntries([['a.h', 'da']]));
    expect(() => recordedDeps(latest, 'trace', identify)).toThrow();
  });
});
