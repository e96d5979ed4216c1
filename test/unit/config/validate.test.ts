import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors.js';

const tool = { name: 'lint', command: ['flake8', '{file}'] };

function messageOf(raw: unknown): string {
  try {
    validateConfig(raw, '.runnerrc.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('validateConfig', () => {
  it('fills every default around a minimal tool', () => {
    const c = validateConfig({ tools: [tool] }, 'f');
    expect(c.include).toEqual(['**/*']);
    expect(c.stateDir).toBe('.runner');
    expect(c.passEnv).toEqual([]);
    expect(c.passThroughEnv).toEqual(['PATH', 'HOME']);
    expect(c.tools[0]).toMatchObject({
      name: 'lint',
      include: ['**/*'],
      exclude: [],
      inputs: [],
      deps: 'none',
      timeout: null,
      pty: false,
    });
  });

  it('takes ignoreUnresolved as given, and none by default', () => {
    expect(validateConfig({ tools: [tool] }, 'f').ignoreUnresolved).toEqual([]);
    expect(
      validateConfig({ tools: [tool], ignoreUnresolved: ['virtual:*', '#imports'] }, 'f').ignoreUnresolved,
    ).toEqual(['virtual:*', '#imports']);
  });

  it('takes "pty": true for a terminal job', () => {
    expect(validateConfig({ tools: [{ ...tool, pty: true }] }, 'f').tools[0]!.pty).toBe(true);
  });

  it.each([
    [{ tools: [tool], colour: true }, '.runnerrc.json: unknown key "colour"; expected one of: include, exclude'],
    [
      { tools: [{ ...tool, comand: 'x' }] },
      '.runnerrc.json: unknown key "tools[0].comand"; expected one of: name, command',
    ],
    [
      { tools: [{ ...tool, timeout: '2m' }] },
      '.runnerrc.json: tools[0].timeout is "2m"; expected a positive number of seconds, e.g. 120',
    ],
    [{ tools: [{ ...tool, timeout: 0 }] }, 'tools[0].timeout is 0; expected a positive number of seconds'],
    [{ tools: [] }, 'tools is []; expected a non-empty array of tools'],
    [{}, 'tools is missing; expected a non-empty array of tools'],
    [
      { tools: [tool, { name: 'lint', command: 'x' }] },
      'tools[1].name is "lint"; expected a name not already used (tools[0] is also "lint")',
    ],
    [{ tools: [{ name: 'lint' }] }, 'tools[0].command is missing; expected an argv array'],
    [{ tools: [{ name: 'lint', command: [] }] }, 'tools[0].command is []; expected an argv array'],
    [{ tools: [{ name: 'lint', command: ['x', 3] }] }, 'tools[0].command[1] is 3; expected a string'],
    [{ tools: [tool], include: '**/*.py' }, 'include is "**/*.py"; expected an array of glob patterns'],
    [{ tools: [tool], exclude: ['../x'] }, 'exclude[0] is "../x"; expected a glob relative to the source tree'],
    [
      { tools: [tool], jobs: 1.5 },
      'jobs is 1.5; expected a whole number from 1 to 4194304 (the most processes Linux can run at once), e.g. 4',
    ],
    [{ tools: [tool], jobs: 1e20 }, 'jobs is 100000000000000000000; expected a whole number from 1 to 4194304'],
    [
      { tools: [tool], env: { X: 'a\0b' } },
      'env.X is "a\\u0000b"; expected a value without a NUL byte (one is at character 2',
    ],
    [
      { tools: [tool], env: { X: ['a', 'b\0'] } },
      'env.X is "a:b\\u0000"; expected a value without a NUL byte (one is at character 4',
    ],
    [
      { tools: [{ ...tool, command: 'lint \0' }] },
      'tools[0].command is "lint \\u0000"; expected a string without a NUL byte',
    ],
    [
      { tools: [tool], env: { A: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['x']]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]] } },
      '.runnerrc.json: env.A[0][0][0][0][0][0][0][0][0][0][0][0][0][... is nested too deeply (more than 32 levels)',
    ],
    [{ tools: [tool], mergeEnv: 'yes' }, 'mergeEnv is "yes"; expected true or false'],
    [{ tools: [{ ...tool, pty: 'yes' }] }, '.runnerrc.json: tools[0].pty is "yes"; expected true or false'],
    [{ tools: [{ ...tool, pty: 1 }] }, 'tools[0].pty is 1; expected true or false'],
    [{ tools: [tool], env: { PATH: 3 } }, 'env.PATH is 3; expected a string, or an array of strings'],
    [
      { tools: [tool], env: { A: 'x' }, passEnv: ['A'] },
      'passEnv[0] is "A"; expected a variable not also set in "env"',
    ],
    [{ tools: [tool], passEnv: ['NOT-A-NAME'] }, 'passEnv[0] is "NOT-A-NAME"; expected a variable name'],
    [
      { tools: [{ ...tool, inputs: ['/etc/*.cfg'] }] },
      'tools[0].inputs[0] is "/etc/*.cfg"; expected a glob relative to the source tree',
    ],
    [
      { tools: [{ ...tool, inputs: ['../**/x.cfg'] }] },
      'tools[0].inputs[0] is "../**/x.cfg"; expected a glob relative to the source tree',
    ],
    [
      { tools: [{ ...tool, inputs: ['~bob/.pylintrc'] }] },
      'tools[0].inputs[0] is "~bob/.pylintrc"; expected a path under your home directory written "~/..."',
    ],
    [
      { tools: [{ ...tool, inputs: 'setup.cfg' }] },
      'tools[0].inputs is "setup.cfg"; expected an array of files, directories or globs',
    ],
    [{ tools: [{ ...tool, deps: 'ruby' }] }, 'tools[0].deps is "ruby"; expected one of "none", "python"'],
    [{ tools: [{ ...tool, name: 'a b' }] }, 'tools[0].name is "a b"; expected a tool name'],
    [[tool], '(top level) is [{"name":"lint"'],
    [
      { tools: [tool], ignoreUnresolved: 'virtual:*' },
      'ignoreUnresolved is "virtual:*"; expected an array of import specifiers, "*" matching any characters, e.g. ["virtual:*", "#imports"]',
    ],
    [{ tools: [tool], ignoreUnresolved: ['virtual:*', ''] }, 'ignoreUnresolved[1] is ""; expected a non-empty string'],
    [
      { tools: [tool], ignoreUnresolved: ['./gen/x.js'] },
      'ignoreUnresolved[0] is "./gen/x.js"; expected a package name, alias or other non-relative specifier such as "virtual:*" (an unresolved relative or absolute import never warns)',
    ],
    [{ tools: [tool], ignoreUnresolved: ['/abs'] }, 'ignoreUnresolved[0] is "/abs"; expected a package name, alias'],
  ])('rejects %j', (raw, expected) => {
    expect(messageOf(raw)).toContain(expected);
  });

  it('issue 16: takes outputs as globs relative to the source tree, with {file}', () => {
    const outputs = ['build/{file}.o', 'gen/*.py'];
    expect(validateConfig({ tools: [{ ...tool, outputs }] }, 'f').tools[0]!.outputs).toEqual(outputs);
    expect(validateConfig({ tools: [tool] }, 'f').tools[0]!.outputs).toEqual([]);
    expect(messageOf({ tools: [{ ...tool, outputs: 'build/{file}.o' }] })).toContain(
      'tools[0].outputs is "build/{file}.o"; expected an array of globs relative to the source tree naming the files the tool writes',
    );
    expect(messageOf({ tools: [{ ...tool, outputs: ['../x/{file}.o'] }] })).toContain(
      'tools[0].outputs[0] is "../x/{file}.o"; expected a glob relative to the source tree, without a leading "/" or ".."',
    );
    expect(messageOf({ tools: [{ ...tool, outputs: ['{file}'] }] })).toContain(
      'tools[0].outputs[0] is "{file}"; expected a file other than the job\'s own',
    );
    expect(messageOf({ tools: [{ name: 'cc', command: ['cc', '{files}'], outputs: ['{files}.o'] }] })).toContain(
      'tools[0].outputs[0] is "{files}.o"; expected an output named with "{file}" (each file\'s own), not "{files}" (tool "cc")',
    );
  });

  it('accepts every deps kind, and a depfile exactly with "deps": "depfile"', () => {
    for (const deps of ['python', 'javascript', 'trace'] as const) {
      expect(validateConfig({ tools: [{ ...tool, deps }] }, 'f').tools[0]!.deps).toBe(deps);
    }
    expect(
      validateConfig({ tools: [{ ...tool, deps: 'depfile', depfile: 'build/{file}.d' }] }, 'f').tools[0]!.depfile,
    ).toBe('build/{file}.d');
    expect(messageOf({ tools: [{ ...tool, deps: 'depfile' }] })).toContain(
      'tools[0].depfile is missing; expected where the tool writes its depfile',
    );
    expect(messageOf({ tools: [{ ...tool, depfile: 'x.d' }] })).toContain(
      'tools[0].depfile is "x.d"; expected a depfile only with "deps": "depfile"',
    );
    expect(messageOf({ tools: [{ ...tool, deps: 'depfile', depfile: '/abs.d' }] })).toContain(
      'expected a path relative to the source tree',
    );
  });

  it('drops a default passThroughEnv name that env sets itself', () => {
    const c = validateConfig({ tools: [tool], env: { PATH: ['/usr/bin', '/bin'] } }, 'f');
    expect(c.passThroughEnv).toEqual(['HOME']);
  });

  it('checks passThroughEnv as it checks passEnv', () => {
    expect(validateConfig({ tools: [tool], passThroughEnv: ['PATH', 'TMPDIR'] }, 'f').passThroughEnv).toEqual([
      'PATH',
      'TMPDIR',
    ]);
    expect(messageOf({ tools: [tool], passThroughEnv: 'PATH' })).toContain(
      'passThroughEnv is "PATH"; expected an array of variable names',
    );
    expect(messageOf({ tools: [tool], passThroughEnv: ['NOT-A-NAME'] })).toContain(
      'passThroughEnv[0] is "NOT-A-NAME"; expected a variable name',
    );
    expect(messageOf({ tools: [tool], env: { A: 'x' }, passThroughEnv: ['A'] })).toContain(
      'passThroughEnv[0] is "A"; expected a variable not also set in "env"',
    );
  });

  it('normalises input paths so they compare equal to walked paths', () => {
    const c = validateConfig({ tools: [{ ...tool, inputs: ['./cfg//setup.cfg'] }] }, 'f');
    expect(c.tools[0]!.inputs).toEqual(['cfg/setup.cfg']);
  });

  it('takes files, directories, globs, absolute and per-user inputs', () => {
    const c = validateConfig(
      {
        tools: [
          {
            ...tool,
            inputs: [
              'conf/',
              '**/conftest.py',
              '/etc/x.conf',
              '~/.pylintrc',
              '~//.config/flake8',
              '../shared.cfg',
              '.',
            ],
          },
        ],
      },
      'f',
    );
    expect(c.tools[0]!.inputs).toEqual([
      'conf',
      '**/conftest.py',
      '/etc/x.conf',
      '~/.pylintrc',
      '~/.config/flake8',
      '../shared.cfg',
      '.',
    ]);
  });
});

describe('the documented default', () => {
  it("is itself a valid config (null is each nullable key's default)", async () => {
    const { documentedDefault } = await import('../../../src/config/index.js');
    const dumped = JSON.parse(JSON.stringify(documentedDefault())) as unknown;
    expect(validateConfig(dumped, 'f')).toEqual(documentedDefault());
  });
});
