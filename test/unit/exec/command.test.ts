import { describe, expect, it } from 'vitest';
import { isBatchCommand, shellQuote, substituteFile, substituteFiles } from '../../../src/exec/index.js';

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

describe('substituteFiles', () => {
  it('issue 14: an argv word {files} becomes one argument per file, each as given (./ before a leading dash)', () => {
    expect(substituteFiles(['lint', '-q', '{files}', '--end'], '/usr/bin/lint', ['a b.py', '-x.py', 'c.py'])).toEqual({
      program: '/usr/bin/lint',
      args: ['-q', 'a b.py', './-x.py', 'c.py', '--end'],
    });
  });

  it('issue 14: in the string form each path is quoted for sh', () => {
    expect(substituteFiles('lint {files}', '/bin/sh', ["it's.py", 'plain.py', '$(x).py'])).toEqual({
      program: '/bin/sh',
      args: ['-c', `lint 'it'\\''s.py' plain.py '$(x).py'`],
    });
  });

  it('issue 14: isBatchCommand tells {files} from {file}', () => {
    expect(isBatchCommand(['lint', '{files}'])).toBe(true);
    expect(isBatchCommand('lint {files}')).toBe(true);
    expect(isBatchCommand(['lint', '{file}'])).toBe(false);
    expect(isBatchCommand('lint {file}')).toBe(false);
  });
});
