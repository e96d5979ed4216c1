// The stream index codec (log-streams.ts): a whole index gives each stream's
// segments; anything else (cut short, not matching its log) is never trusted.
import { describe, expect, test } from 'vitest';
import {
  STREAM_INDEX_HEADER,
  decodeStreamIndex,
  rangesOf,
  segmentRecord,
  trailerRecord,
} from '../../../src/log-streams.js';

const whole = STREAM_INDEX_HEADER + 'o5\ne3\nr2\no1\nend 11\n';

describe('decodeStreamIndex', () => {
  test('a whole index gives its segments in log order, each at its offset', () => {
    expect(decodeStreamIndex(whole, 11)).toEqual({
      kind: 'whole',
      segments: [
        { stream: 'stdout', offset: 0, bytes: 5 },
        { stream: 'stderr', offset: 5, bytes: 3 },
        { stream: 'runner', offset: 8, bytes: 2 },
        { stream: 'stdout', offset: 10, bytes: 1 },
      ],
    });
  });

  test("the writer's records decode back", () => {
    const text = STREAM_INDEX_HEADER + segmentRecord('terminal', 7) + trailerRecord(7);
    expect(decodeStreamIndex(text, 7)).toEqual({
      kind: 'whole',
      segments: [{ stream: 'terminal', offset: 0, bytes: 7 }],
    });
    expect(decodeStreamIndex(STREAM_INDEX_HEADER + trailerRecord(0), 0)).toEqual({ kind: 'whole', segments: [] });
  });

  test.each([
    ['no header', 'o5\nend 5\n', 5, 'it does not start with its header'],
    [
      'no trailer (runner stopped mid-job)',
      STREAM_INDEX_HEADER + 'o5\ne3\n',
      8,
      "it has no trailer (written up to 8 bytes of the log's 8)",
    ],
    ['its last record cut short', STREAM_INDEX_HEADER + 'o5\ne', 8, 'its last record is cut short'],
    ['a trailer cut short', whole.slice(0, -1), 11, 'its last record is cut short'],
    ['a record that is none', STREAM_INDEX_HEADER + 'o5\nx3\nend 8\n', 8, 'record 2 ("x3") is not one'],
    ['a negative or empty length', STREAM_INDEX_HEADER + 'o\nend 0\n', 0, 'record 1 ("o") is not one'],
    [
      'segments that do not add up',
      STREAM_INDEX_HEADER + 'o5\nend 6\n',
      6,
      'its segments hold 5 bytes, its trailer says 6',
    ],
    ['a log longer than it covers', whole, 12, 'it covers 11 bytes but the log holds 12'],
    ['a log shorter than it covers', whole, 10, 'it covers 11 bytes but the log holds 10'],
    ['records after the trailer', STREAM_INDEX_HEADER + 'end 0\no1\n', 1, 'records follow its trailer'],
  ])('%s: damaged, never trusted', (_name, text, logBytes, detail) => {
    expect(decodeStreamIndex(text, logBytes)).toEqual({ kind: 'damaged', detail });
  });
});

test("rangesOf gives one stream's segments, in order", () => {
  const index = decodeStreamIndex(whole, 11);
  if (index.kind !== 'whole') throw new Error('expected a whole index');
  expect(rangesOf(index.segments, 'stdout').map((s) => [s.offset, s.bytes])).toEqual([
    [0, 5],
    [10, 1],
  ]);
  expect(rangesOf(index.segments, 'stderr').map((s) => [s.offset, s.bytes])).toEqual([[5, 3]]);
});
