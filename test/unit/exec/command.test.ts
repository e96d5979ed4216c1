import { describe, expect, it } from 'vitest';
import { shellQuote, substituteFile } from '../../../src/exec/index.js';

describe('substituteFile', () => {
  it('substitutes {file} in every argv word without a shell', () => {
    expect(substituteFile(['lint', '--x={file}', '{file}'], '/usr/bin/lint', 'a b.py')).toEqual({
      program: '/usr/bin/lint',
      args: ['--x=a b.py', 'a b.py'],
    });
  });

  it('quotes {file} for sh in the string form', () => {
    expect(substituteFile('lint {file} && echo {file}', '/bin/sh', "it's here.py")).toEqual({
      program: '/bin/sh',
      args: ['-c', `lint 'it'\\''s here.py' && echo 'it'\\''s here.py'`],
    });
  });

  it('issue 12: gives a file whose path starts with "-" as ./-..., so no tool takes it for an option (argv and shell forms)', () => {
    expect(substituteFile(['cat', '{file}'], '/bin/cat', '--version')).toEqual({
      program: '/bin/cat',
      args: ['./--version'],
    });
    expect(substituteFile('cat {file}', '/bin/sh', '-rf')).toEqual({ program: '/bin/sh', args: ['-c', 'cat ./-rf'] });
    expect(substituteFile(['cat', '{file}'], '/bin/cat', 'sub/-x')).toEqual({ program: '/bin/cat', args: ['sub/-x'] });
  });

  it.each([
    ['plain/path.py', 'plain/path.py'],
    ['with space', `'with space'`],
    ['$(rm -rf)', `'$(rm -rf)'`],
    ['', `''`],
  ])('shellQuote(%j) is %s', (word, quoted) => {
    expect(shellQuote(word)).toBe(quoted);
  });
});
