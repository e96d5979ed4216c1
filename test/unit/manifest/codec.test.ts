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
