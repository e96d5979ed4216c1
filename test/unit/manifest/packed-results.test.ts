// The results snapshot kept packed (issue 17 point 1): a job's latest result is
// judged in place, and built as an object only when asked for.
import { describe, expect, it } from 'vitest';
import { encodeResults } from '../../../src/manifest/codec.js';
import { type JobResult, UNKNOWN_DEPS, logFileName } from '../../../src/manifest/index.js';
import { PackedResults } from '../../../src/manifest/packed-results.js';
import type { Digest, Fingerprint, LatchId, RelPath } from '../../../src/types.js';

const hex = (c: string): string => c.repeat(32);

function result(path: string, over: Partial<JobResult> = {}): JobResult {
  return {
    tool: 't',
    path: path as RelPath,
    fingerprint: hex('f') as Fingerprint,
    latchId: hex('1') as LatchId,
    digest: hex('2') as Digest,
    status: 'passed',
    end: { kind: 'exit', code: 0 },
    durationMs: 1,
    hasLog: false,
    depsDigest: '',
    deps: '',
    finishedAt: 5,
    usedAt: 6,
    logBytes: 0,
    ...over,
  };
}

const noLogs = (): boolean => false;

describe('issue 17: the packed results snapshot', () => {
  const list = [
    result('a'),
    result('b', { tool: 'u', depsDigest: hex('3'), deps: '[["x","y"]]' }),
    result('c', { tool: 'u', depsDigest: UNKNOWN_DEPS }),
    result('d', { status: 'failed', end: { kind: 'exit', code: 1 } }),
    result('e', { hasLog: true, logBytes: 10 }),
  ];
  const packed = PackedResults.decode(encodeResults(list));

  it('names each result by tool and path, and builds each as it was written', () => {
    expect(packed.count).toBe(5);
    expect(list.map((_, i) => [packed.toolAt(i), packed.pathAt(i)])).toEqual(list.map((r) => [r.tool, r.path]));
    expect(list.map((_, i) => packed.result(i))).toEqual(list);
    expect(packed.logBytesAt(4)).toBe(10);
  });

  it('holds for a passed result without a log under the same latch, file digest and dependencies', () => {
    expect(packed.holds(0, hex('1'), hex('2'), '', noLogs)).toBe(true);
    expect(packed.holds(1, hex('1'), hex('2'), hex('3'), noLogs)).toBe(true);
    expect(packed.holds(2, hex('1'), hex('2'), UNKNOWN_DEPS, noLogs)).toBe(true);
  });

  it('holds for a result with a log only while its log file (named after its fingerprint and finish time) is there', () => {
    const asked: string[] = [];
    const logged = (name: string): boolean => (asked.push(name), name === logFileName(list[4]!));
    expect(packed.holds(4, hex('1'), hex('2'), '', logged)).toBe(true);
    expect(asked).toEqual([`${hex('f')}-5.log`]);
    expect(
      packed.holds(0, hex('1'), hex('2'), '', () => {
        throw new Error('a result without a log has no log to check');
      }),
    ).toBe(true);
  });

  it('does not hold when the file, the latch or the dependencies changed, or the result failed or has a log', () => {
    expect(packed.holds(0, hex('1'), hex('9'), '', noLogs)).toBe(false); // the file's content changed
    expect(packed.holds(0, hex('9'), hex('2'), '', noLogs)).toBe(false); // the tool's latch changed
    expect(packed.holds(0, hex('1'), hex('2'), hex('3'), noLogs)).toBe(false); // the job has dependencies now
    expect(packed.holds(1, hex('1'), hex('2'), hex('4'), noLogs)).toBe(false); // a dependency changed
    expect(packed.holds(1, hex('1'), hex('2'), '', noLogs)).toBe(false);
    expect(packed.holds(2, hex('1'), hex('2'), hex('3'), noLogs)).toBe(false);
    expect(packed.holds(3, hex('1'), hex('2'), '', noLogs)).toBe(false); // failed: reported, not fresh
    expect(packed.holds(4, hex('1'), hex('2'), '', noLogs)).toBe(false); // its log is gone
    expect(packed.holds(0, hex('1').slice(1), hex('2'), '', noLogs)).toBe(false); // a prefix is no match
  });
});

describe('issue 17: digests kept as bytes, compared with hex digit by digit', () => {
  // No digit repeats within a byte or next to it: a digit read from the wrong half of a byte, or from the
  // wrong byte, changes the answer.
  const latch = '0123456789abcdeffedcba9876543210';
  const digest = '13579bdf02468ace8ace0246fdb97531';
  const deps = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
  const list = [result('a', { latchId: latch as LatchId, digest: digest as Digest, depsDigest: deps })];
  const packed = PackedResults.decode(encodeResults(list));
  const flip = (hexText: string, k: number): string =>
    hexText.slice(0, k) + (hexText[k] === '7' ? '8' : '7') + hexText.slice(k + 1);

  it('holds for the exact latch, digest and dependencies digest, and builds them back as hex', () => {
    expect(packed.holds(0, latch, digest, deps, noLogs)).toBe(true);
    expect(packed.result(0)).toEqual(list[0]);
  });

  it('does not hold when any one digit of the latch, the digest or the dependencies digest differs', () => {
    for (let k = 0; k < 32; k++) {
      expect(packed.holds(0, flip(latch, k), digest, deps, noLogs), `latch digit ${k}`).toBe(false);
      expect(packed.holds(0, latch, flip(digest, k), deps, noLogs), `digest digit ${k}`).toBe(false);
      expect(packed.holds(0, latch, digest, flip(deps, k), noLogs), `deps digit ${k}`).toBe(false);
    }
    expect(packed.holds(0, latch, digest.toUpperCase(), deps, noLogs)).toBe(false); // never written so
    expect(packed.holds(0, latch, `${digest}0`, deps, noLogs)).toBe(false);
    expect(packed.holds(0, latch, digest.slice(0, 31), deps, noLogs)).toBe(false);
  });
});
