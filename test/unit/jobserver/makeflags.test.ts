import { describe, expect, it } from 'vitest';
import { JobserverError } from '../../../src/errors.js';
import { parseMakeflags, withoutJobserver } from '../../../src/jobserver/index.js';

describe('parseMakeflags', () => {
  it.each([
    ['', null],
    ['   ', null],
  ])('%j is not make', (raw, expected) => {
    expect(parseMakeflags(raw)).toBe(expected);
  });

  it.each([
    [
      ' -j4 --jobserver-auth=3,4',
      { dryRun: false, jobs: 4, auth: { style: 'pipe', read: 3, write: 4, option: '--jobserver-auth' } },
    ],
    [' -j4 --jobserver-auth=fifo:/tmp/f', { dryRun: false, jobs: 4, auth: { style: 'fifo', path: '/tmp/f' } }],
    [
      '--jobserver-auth=3,4',
      { dryRun: false, jobs: null, auth: { style: 'pipe', read: 3, write: 4, option: '--jobserver-auth' } },
    ],
    [
      '-j --jobserver-fds=3,4',
      { dryRun: false, jobs: 'unlimited', auth: { style: 'pipe', read: 3, write: 4, option: '--jobserver-fds' } },
    ],
    [
      ' -j8 --jobserver-auth=3,4 --jobserver-auth=5,6',
      { jobs: 8, auth: { style: 'pipe', read: 5, write: 6, option: '--jobserver-auth' } },
    ],
    [
      ' -j --jobserver-fds=3,4 --jobserver-auth=7,8',
      { auth: { style: 'pipe', read: 7, write: 8, option: '--jobserver-auth' } },
    ],
    ['kns -j3 --jobserver-auth=3,4', { dryRun: true, jobs: 3 }],
    ['ks -j3 --jobserver-auth=3,4', { dryRun: false, jobs: 3 }],
    [' -j3 --no-print-directory --jobserver-auth=3,4', { dryRun: false }],
    [' -j1', { jobs: 1, auth: null }],
    [' -j', { jobs: 'unlimited', auth: null }],
    ['w', { dryRun: false, jobs: null, auth: null }],
    [' -j4 --jobserver-auth=-1,-1', { auth: { style: 'disabled' } }],
    [
      ' -j2 --jobserver-auth=3,4 -- CC=gcc --jobserver-auth=9,9',
      { auth: { style: 'pipe', read: 3, write: 4, option: '--jobserver-auth' } },
    ],
  ])('%j', (raw, expected) => {
    expect(parseMakeflags(raw)).toMatchObject({ raw, ...expected });
  });

  it.each([' -j4 --jobserver-auth=sem:foo', ' -j4 --jobserver-auth=3', ' --jobserver-fds=fifo:/tmp/f'])(
    'refuses %j',
    (raw) => {
      expect(() => parseMakeflags(raw)).toThrow(JobserverError);
      expect(() => parseMakeflags(raw)).toThrow(/neither R,W \(two descriptors\) nor fifo:PATH/);
    },
  );
});

describe('withoutJobserver', () => {
  it.each([
    [' -j3 --jobserver-auth=3,4', ''],
    [' -j --jobserver-auth=fifo:/tmp/f', ''],
    ['-j4 --jobserver-fds=3,4 --jobserver-auth=3,4', ''],
    ['k --jobs=4 --jobserver-auth=5,6', 'k'],
    ['ks -j3 --jobserver-auth=3,4 --no-print-directory -- CC=gcc -j9=x', 'ks --no-print-directory -- CC=gcc -j9=x'],
    [' --trace', ' --trace'],
  ])('%j becomes %j', (raw, expected) => {
    expect(withoutJobserver(raw)).toBe(expected);
    expect(parseMakeflags(withoutJobserver(raw))?.auth ?? null).toBeNull();
  });
});
