// Batch tools in the config: `{files}` in a command, never beside `{file}`, and `maxFiles` (issue 14).
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors.js';

function messageOf(raw: unknown): string {
  try {
    validateConfig(raw, '.runnerrc.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('batch tools in the config', () => {
  it('issue 14: accepts {files} in the argv and string forms, with maxFiles', () => {
    const c = validateConfig(
      {
        tools: [
          { name: 'compile', command: ['python3', '-m', 'py_compile', '{files}'], maxFiles: 50 },
          { name: 'lint', command: 'pyflakes {files}' },
        ],
      },
      'f',
    );
    expect(c.tools[0]).toMatchObject({ maxFiles: 50 });
    expect(c.tools[1]).toMatchObject({ maxFiles: null });
  });

  it.each([
    [['lint', '{file}', '{files}'], 'tools[0].command is ["lint","{file}","{files}"]'],
    ['lint {files} && echo {file}', 'tools[0].command is "lint {files} && echo {file}"'],
  ])('issue 14: a command with both {file} and {files} is a config error naming the tool (%j)', (command, what) => {
    const message = messageOf({ tools: [{ name: 'lint', command }] });
    expect(message).toContain(what);
    expect(message).toContain('either "{file}"');
    expect(message).toContain('tool "lint"');
  });

  it.each([
    [0, 'tools[0].maxFiles is 0; expected a positive whole number of files'],
    [2.5, 'tools[0].maxFiles is 2.5; expected a positive whole number of files'],
    ['10', 'tools[0].maxFiles is "10"; expected a positive whole number of files'],
  ])('issue 14: maxFiles %j is refused', (maxFiles, message) => {
    expect(messageOf({ tools: [{ name: 'lint', command: ['lint', '{files}'], maxFiles }] })).toContain(message);
  });

  it('issue 14: maxFiles on a one-file tool is refused, naming the tool', () => {
    expect(messageOf({ tools: [{ name: 'lint', command: ['lint', '{file}'], maxFiles: 5 }] })).toContain(
      'tools[0].maxFiles is 5; expected "maxFiles" only for a batch tool, one with "{files}" in its command (tool "lint"',
    );
  });

  it('issue 14: accepts a narrowing budget on a batch tool, 0 included; null or absent is the default', () => {
    const batch = (name: string, narrowing: unknown) => ({ name, command: ['lint', '{files}'], narrowing });
    const tools = [batch('a', 0), batch('b', 40), batch('c', null), { name: 'd', command: 'lint {files}' }];
    const c = validateConfig({ tools }, 'f');
    expect(c.tools.map((t) => t.narrowing)).toEqual([0, 40, null, null]);
  });

  it.each([
    [-1, 'tools[0].narrowing is -1; expected a whole number of processes from 0'],
    [2.5, 'tools[0].narrowing is 2.5; expected a whole number of processes from 0'],
    ['8', 'tools[0].narrowing is "8"; expected a whole number of processes from 0'],
    [true, 'tools[0].narrowing is true; expected a whole number of processes from 0'],
  ])('issue 14: narrowing %j is refused, naming the value and the tool', (narrowing, message) => {
    const text = messageOf({ tools: [{ name: 'lint', command: ['lint', '{files}'], narrowing }] });
    expect(text).toContain(message);
    expect(text).toContain('(tool "lint")');
  });

  it('issue 14: narrowing on a one-file tool is refused, naming the tool', () => {
    expect(messageOf({ tools: [{ name: 'lint', command: ['lint', '{file}'], narrowing: 5 }] })).toContain(
      'tools[0].narrowing is 5; expected "narrowing" only for a batch tool, one with "{files}" in its command (tool "lint"',
    );
  });

  it('issue 14: accepts a failure pattern with a group named file on a batch tool', () => {
    const pattern = '^(?<file>[^:]+):\\d+: error';
    const c = validateConfig({ tools: [{ name: 'lint', command: ['lint', '{files}'], failurePattern: pattern }] }, 'f');
    expect(c.tools[0]).toMatchObject({ failurePattern: pattern });
    expect(validateConfig({ tools: [{ name: 'lint', command: ['lint', '{files}'] }] }, 'f').tools[0]).toMatchObject({
      failurePattern: null,
    });
  });

  it.each([
    [
      '(?<file>[^:]+',
      'tools[0].failurePattern is "(?<file>[^:]+"; expected a regular expression with a group named "file"',
      'does not compile',
    ],
    ['a)|(?<file>b', 'tools[0].failurePattern is "a)|(?<file>b"', 'does not compile'],
    ['^([^:]+):', 'tools[0].failurePattern is "^([^:]+):"', 'this one has no group named "file" (tool "lint")'],
    ['^(?<path>[^:]+):', 'tools[0].failurePattern is "^(?<path>[^:]+):"', 'no group named "file"'],
    [42, 'tools[0].failurePattern is 42; expected a regular expression with a group named "file"', '(tool "lint")'],
    ['', 'tools[0].failurePattern is ""; expected a regular expression', '(tool "lint")'],
  ])('issue 14: failurePattern %j is refused, naming the tool and the value', (failurePattern, what, why) => {
    const message = messageOf({ tools: [{ name: 'lint', command: ['lint', '{files}'], failurePattern }] });
    expect(message).toContain(what);
    expect(message).toContain(why);
  });

  it('issue 14: a failure pattern on a one-file tool is refused, naming the tool', () => {
    expect(
      messageOf({ tools: [{ name: 'lint', command: ['lint', '{file}'], failurePattern: '(?<file>.+):' }] }),
    ).toContain('expected "failurePattern" only for a batch tool, one with "{files}" in its command (tool "lint"');
  });

  it('issue 14: a batch tool with a depfile or a trace is refused (not attributed per file yet)', () => {
    expect(messageOf({ tools: [{ name: 'cc', command: ['cc', '{files}'], deps: 'trace' }] })).toContain(
      'tools[0].deps is "trace"; expected "none", "python" or "javascript" for a batch tool',
    );
  });
});
