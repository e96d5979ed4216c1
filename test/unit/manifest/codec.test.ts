import { describe, expect, it } from 'vitest';
import { statusOf } from '../../../src/job-end.js';
import { decodeResults, encodeResults, fromJournal, toJournal } from '../../../src/manifest/codec.js';
import { type JobResult, UNKNOWN_DEPS } from '../../../src/manifest/index.js';
import type { Digest, Fingerprint, LatchId, RelPath } from '../../../src/types.js';
import { EVERY_END } from '../../helpers/job-ends.js';

const hex = (c: string): string => c.repeat(32);

function result(path: string, fp: string, depsDigest: string, deps = ''): JobResult {
  return {
    tool: 't',
    path: path as RelPath,
    fingerprint: hex(fp) as Fingerprint,
    latchId: hex('1') as LatchId,
    digest: hex('2') as Digest,
    status: 'passed',
    end: { kind: 'exit', code: 0 },
    durationMs: 1,
    hasLog: false,
    depsDigest,
    deps,
    finishedAt: 5,
    usedAt: 6,
    logBytes: 0,
  };
}

function decoded(buf: Buffer): JobResult[] {
  const out: JobResult[] = [];
  decodeResults(buf, (r) => out.push(r));
  return out;
}

describe('results snapshot', () => {
  it('keeps every kind of dependencies digest: none, a digest, unknown (a job that reported nothing), in any order', () => {
    const list = [
      result('a', 'a', UNKNOWN_DEPS),
      result('b', 'b', hex('3'), '[["lib/x.h","id"]]'),
      result('c', 'c', ''),
      result('d', 'd', UNKNOWN_DEPS),
      result('e', 'e', hex('4'), '[]'),
    ];
    expect(decoded(encodeResults(list))).toEqual(list);
  });

  it('drops the results whose digests an earlier runner lost, rather than keep them with empty fingerprints', () => {
    const list = [result('a', 'a', hex('3'), '[]'), result('b', 'b', hex('4'), '[]')];
    const buf = encodeResults(list);
    // The last result's four digests (16 bytes each) cut short, as a stray non-hex digest once cut them.
    const cut = buf.subarray(0, buf.length - 40);
    expect(decoded(cut)).toEqual([list[0]]);
  });

  it('refuses to write a digest that is not 32 hex digits, which would shift every later one', () => {
    expect(() => encodeResults([result('a', 'a', 'not-a-digest'), result('b', 'b', '')])).toThrow(/32 hex digits/);
  });
});

describe('how a stored result ended', () => {
  const ended = EVERY_END.map(([_what, end], i): JobResult => ({
    ...result(`f${i}`, String(i), ''),
    status: statusOf(end),
    end,
  }));

  it('issue 13: every end and its status survive the snapshot', () => {
    expect(decoded(encodeResults(ended))).toEqual(ended);
  });

  it('issue 13: every end and its status survive the journal row, whose columns stay flat', () => {
    for (const r of ended) expect(fromJournal(toJournal(r))).toEqual(r);
    const timeout = ended.find((r) => r.end.kind === 'timeout')!;
    // status, exit_code, signal, timed_out: the columns of schema 1, unchanged.
    expect(toJournal(timeout).slice(5, 9)).toEqual(['failed', null, 'SIGTERM', 1]);
  });
});

describe('an unjudged result (issue 14: a narrowing stopped before judging the file)', () => {
  // Stored as interrupted (it runs again), ended as the process whose log it got, with its stop in the flags.
  const unjudged = (i: number, kind: 'budget' | 'dense', processes: number, hasLog: boolean): JobResult => ({
    ...result(`u${i}`, String(i), ''),
    status: 'interrupted',
    end: { kind: 'interrupted', stopped: { kind: 'exit', code: 4 } },
    hasLog,
    unjudged: { kind, processes },
  });
  const rows = [
    unjudged(1, 'budget', 0, true),
    unjudged(2, 'dense', 7, true),
    unjudged(3, 'budget', 24, false),
    { ...unjudged(4, 'dense', 1_000_000, true), remote: true as const },
    { ...unjudged(5, 'budget', 3, true), remoteMiss: true as const },
    { ...result('missed', '6', ''), remoteMiss: true as const },
    result('plain', '5', ''),
  ];

  it('issue 14: its stop and processes survive the snapshot and the journal row, beside the other flags', () => {
    expect(decoded(encodeResults(rows))).toEqual(rows);
    for (const r of rows) expect(fromJournal(toJournal(r))).toEqual(r);
    // A runner that reads only the named flag bits still sees its log, and an interrupted status: it runs again.
    const row = toJournal(rows[1]!);
    expect(row[5]).toBe('interrupted');
    expect(row[10] & 1).toBe(1); // has a log
    expect(row[10] & 2).toBe(0); // not from the remote cache
  });
});
