// What watchman's answers mean for a scan (scan/watchman-answer.ts): the
// changed names to update, or the walk and why; table rows for each answer
// watchman 4.9 gives and for answers it should not.
import { describe, expect, it } from 'vitest';
import {
  MAX_CHANGED_NAMES,
  type WatchState,
  decideFromQuery,
  decodeWatchState,
  encodeWatchState,
  readClock,
  readWatchProject,
  staleWatchState,
} from '../../../src/scan/watchman-answer.js';

const CLOCK = 'c:1796470860:31618:1:2';
const answer = (extra: Record<string, unknown>): Record<string, unknown> => ({
  version: '4.9.0',
  clock: CLOCK,
  is_fresh_instance: false,
  files: [],
  ...extra,
});

describe('issue 17: a query answer decides between the changed names and the walk', () => {
  const rows: [
    string,
    unknown,
    { kind: 'changes'; paths: string[] } | { kind: 'walk'; reason: RegExp; clock: boolean },
  ][] = [
    ['nothing changed', answer({}), { kind: 'changes', paths: [] }],
    [
      'changed names',
      answer({ files: ['a.py', 'src/b.ts', 'src'] }),
      { kind: 'changes', paths: ['a.py', 'src/b.ts', 'src'] },
    ],
    ['a fresh instance', answer({ is_fresh_instance: true }), { kind: 'walk', reason: /fresh instance/, clock: true }],
    [
      'an error',
      { version: '4.9.0', error: 'unable to resolve root /x: directory /x is not watched' },
      { kind: 'walk', reason: /not watched/, clock: false },
    ],
    ['no clock', answer({ clock: undefined }), { kind: 'walk', reason: /no clock/, clock: false }],
    [
      'no is_fresh_instance',
      answer({ is_fresh_instance: undefined }),
      { kind: 'walk', reason: /is_fresh_instance/, clock: false },
    ],
    ['not an object', 'garbage', { kind: 'walk', reason: /not an object/, clock: false }],
    ['null', null, { kind: 'walk', reason: /not an object/, clock: false }],
    ['files not a list', answer({ files: 'a.py' }), { kind: 'walk', reason: /unexpected file names/, clock: false }],
    [
      'a name that is an object (fields other than name)',
      answer({ files: [{ name: 'a.py' }] }),
      { kind: 'walk', reason: /unexpected/, clock: false },
    ],
    ['an absolute name', answer({ files: ['/etc/passwd'] }), { kind: 'walk', reason: /unexpected/, clock: false }],
    ['a name going up', answer({ files: ['../x'] }), { kind: 'walk', reason: /unexpected/, clock: false }],
    ['an empty name', answer({ files: [''] }), { kind: 'walk', reason: /unexpected/, clock: false }],
    [
      'the top .gitignore',
      answer({ files: ['a.py', '.gitignore'] }),
      { kind: 'walk', reason: /\.gitignore changed/, clock: true },
    ],
    [
      'a nested .gitignore',
      answer({ files: ['sub/dir/.gitignore'] }),
      { kind: 'walk', reason: /sub\/dir\/\.gitignore/, clock: true },
    ],
    ['a file merely named like one', answer({ files: ['x.gitignore'] }), { kind: 'changes', paths: ['x.gitignore'] }],
    [
      'more changes than the update pays for',
      answer({ files: Array.from({ length: MAX_CHANGED_NAMES + 1 }, (_, i) => `f${i}`) }),
      { kind: 'walk', reason: /changed names/, clock: true },
    ],
  ];
  it.each(rows)('%s', (_what, raw, want) => {
    const got = decideFromQuery(raw);
    if (want.kind === 'changes') expect(got).toEqual({ kind: 'changes', paths: want.paths, clock: CLOCK });
    else {
      expect(got.kind).toBe('walk');
      if (got.kind !== 'walk') return;
      expect(got.reason).toMatch(want.reason);
      expect(got.clock).toBe(want.clock ? CLOCK : null);
    }
  });
});

describe('issue 17: the stored watch state', () => {
  const state: WatchState = { tree: '/t', root: '/', rel: 't', clock: CLOCK, spec: 'k1' };

  it('comes back as it was stored', () => {
    expect(decodeWatchState(encodeWatchState(state))).toEqual(state);
  });

  it.each([undefined, '', 'not json', '[]', '{"tree":"/t"}', JSON.stringify({ ...state, clock: 3 })])(
    'a missing or damaged value %j reads as none',
    (text) => {
      expect(decodeWatchState(text)).toBeNull();
    },
  );

  it('is asked only for the same source tree under the same walk rules', () => {
    expect(staleWatchState(state, '/t', 'k1')).toBeNull();
    expect(staleWatchState(null, '/t', 'k1')).toMatch(/no clock/);
    expect(staleWatchState(state, '/u', 'k1')).toMatch(/another source tree/);
    expect(staleWatchState(state, '/t', 'k2')).toMatch(/rules changed/);
  });
});

describe('issue 17: watch-project and clock answers', () => {
  it('watch-project names the watched root and the tree below it', () => {
    expect(readWatchProject({ watch: '/r', relative_path: 'a/b' })).toEqual({ root: '/r', rel: 'a/b' });
    expect(readWatchProject({ watch: '/r' })).toEqual({ root: '/r', rel: '' });
    expect(readWatchProject({ error: 'too many watches' })).toBe('too many watches');
    expect(readWatchProject({})).toMatch(/no watched root/);
    expect(readWatchProject({ watch: '/r', relative_path: 3 })).toMatch(/not a string/);
  });

  it('clock gives the clock or says what is wrong', () => {
    expect(readClock({ clock: CLOCK })).toEqual({ clock: CLOCK });
    expect(readClock({ error: 'sync timed out' })).toBe('sync timed out');
    expect(readClock({})).toMatch(/no clock/);
    expect(readClock(7)).toMatch(/not an object/);
  });
});
