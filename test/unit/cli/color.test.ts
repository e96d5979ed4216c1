// Whether runner colours its output: --no-color, FORCE_COLOR, NO_COLOR, then the terminal.
import { describe, expect, test } from 'vitest';
import { colorOf } from '../../../src/cli/color.js';

describe('colour', () => {
  test.each([
    // flag, env, on a terminal, coloured
    ['a terminal', undefined, {}, true, true],
    ['a pipe', undefined, {}, false, false],
    ['TERM=dumb', undefined, { TERM: 'dumb' }, true, false],
    ['NO_COLOR=1 on a terminal', undefined, { NO_COLOR: '1' }, true, false],
    ['issue 15: an empty NO_COLOR is not set (no-color.org)', undefined, { NO_COLOR: '' }, true, true],
    ['issue 15: FORCE_COLOR=1 in a pipe', undefined, { FORCE_COLOR: '1' }, false, true],
    ['issue 15: an empty FORCE_COLOR turns colour on', undefined, { FORCE_COLOR: '' }, false, true],
    ['issue 15: FORCE_COLOR=3 (a level) turns colour on', undefined, { FORCE_COLOR: '3' }, false, true],
    [
      'issue 15: FORCE_COLOR beats NO_COLOR, as in Node.js',
      undefined,
      { FORCE_COLOR: '1', NO_COLOR: '1' },
      false,
      true,
    ],
    ['issue 15: FORCE_COLOR=0 on a terminal', undefined, { FORCE_COLOR: '0' }, true, false],
    ['issue 15: FORCE_COLOR=false on a terminal', undefined, { FORCE_COLOR: 'false' }, true, false],
    ['--no-color beats FORCE_COLOR', false, { FORCE_COLOR: '1' }, true, false],
  ] as const)('%s', (_what, flag, env, terminal, coloured) => {
    expect(colorOf(flag, env, terminal)).toBe(coloured);
  });
});
