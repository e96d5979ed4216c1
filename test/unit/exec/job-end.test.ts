// How a job ended as one union, and the flat fields (exitCode, signal,
// timedOut) the store and --json keep: each end maps to the fields it had
// before the union, and reads back from them unchanged.
import { describe, expect, it } from 'vitest';
import { endFromFlat, flatEnd, statusOf } from '../../../src/job-end.js';
import { EVERY_END, flat } from '../../helpers/job-ends.js';

describe('job ends', () => {
  it.each(EVERY_END)(
    'issue 13: %s has its verdict, the flat fields it had before, and reads back from them',
    (_what, end, status, fields) => {
      expect(statusOf(end)).toBe(status);
      expect(flatEnd(end)).toEqual(fields);
      expect(endFromFlat(status, fields.exitCode, fields.signal, fields.timedOut)).toEqual(end);
    },
  );

  it('a report of a job that did not run has the fields of one that never started', () => {
    expect(flatEnd(null)).toEqual(flat(null, null));
  });

  it('a stored row reads by its status first: a pass is an exit 0, a failure stays a failure', () => {
    expect(statusOf(endFromFlat('passed', 0, null, false))).toBe('passed');
    // Rows runner never wrote read as the nearest end; the result keeps its stored status beside it.
    expect(endFromFlat('failed', null, null, true)).toEqual({ kind: 'spawn-error' });
    expect(statusOf(endFromFlat('interrupted', 0, null, false))).toBe('interrupted');
  });
});
