// What the pre-commit framework asks its hook to check, from the environment it runs the hook in.
import { describe, expect, test } from 'vitest';
import { frameworkCheck } from '../../../src/hook/index.js';

describe('frameworkCheck', () => {
  const files = ['a.py', 'b.txt'];
  test.each([
    ['git commit (git sets GIT_INDEX_FILE)', { GIT_INDEX_FILE: '/r/.git/index' }, { kind: 'staged' }],
    ['git commit -a (a temporary index)', { GIT_INDEX_FILE: '/r/.git/index.lock' }, { kind: 'staged' }],
    ['issue 15: pre-commit run --all-files from a shell or CI', {}, { kind: 'files', files }],
    ['issue 15: --from-ref/--to-ref', { PRE_COMMIT_FROM_REF: 'a1', PRE_COMMIT_TO_REF: 'b2' }, { kind: 'files', files }],
    [
      'pre-push, which git runs without GIT_INDEX_FILE but a range wins anyway',
      { PRE_COMMIT_FROM_REF: 'a1', PRE_COMMIT_TO_REF: 'b2', GIT_INDEX_FILE: '/r/.git/index' },
      { kind: 'files', files },
    ],
    ['only one end of a range is no range', { PRE_COMMIT_FROM_REF: 'a1', GIT_INDEX_FILE: 'i' }, { kind: 'staged' }],
    ['an empty GIT_INDEX_FILE is not set', { GIT_INDEX_FILE: '' }, { kind: 'files', files }],
  ])('%s', (_name, env, expected) => {
    expect(frameworkCheck(env, files)).toEqual(expected);
  });
});
