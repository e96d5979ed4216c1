// A tool's own controls in the config (issue 14, point 6): `serial` and
// `jobs` (how many of its processes at once), and `env` laid over the
// top-level environment and latched in that tool's latch alone.
import { describe, expect, it } from 'vitest';
import { latchTools, mostAtOnce, validateConfig } from '../../../src/config/index.js';
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

const tool = (extra: object) => ({ tools: [{ name: 'lint', command: ['lint', '{file}'], ...extra }] });
const caller = { PATH: '/usr/bin:/bin', HOME: '/root', LANG: 'C' };

function latched(raw: object, env: NodeJS.ProcessEnv = caller) {
  return latchTools({
    config: validateConfig(raw, 'f'),
    callerEnv: env,
    sourceTree: '/src',
    configDisplayFile: 'f',
    inputs: null,
  });
}

describe('serial and jobs', () => {
  it("issue 14: default to no limit of the tool's own; serial is one process at once, jobs N is N", () => {
    const c = validateConfig(
      {
        tools: [
          { name: 'a', command: ['a', '{file}'] },
          { name: 'b', command: ['b', '{files}'], serial: true },
          { name: 'c', command: ['c', '{file}'], jobs: 3 },
          { name: 'd', command: ['d', '{file}'], serial: false, jobs: null },
        ],
      },
      'f',
    );
    expect(c.tools.map((t) => [t.serial, t.jobs, mostAtOnce(t)])).toEqual([
      [false, null, null],
      [true, null, 1],
      [false, 3, 3],
      [false, null, null],
    ]);
  });

  it.each([
    [{ serial: 'yes' }, 'tools[0].serial is "yes"; expected true or false'],
    [{ jobs: 0 }, 'tools[0].jobs is 0; expected a whole number from 1 to 4194304'],
    [{ jobs: 2.5 }, 'tools[0].jobs is 2.5; expected a whole number from 1 to 4194304'],
    [{ jobs: '4' }, 'tools[0].jobs is "4"; expected a whole number from 1 to 4194304'],
    [{ jobs: -1 }, 'tools[0].jobs is -1; expected a whole number from 1 to 4194304'],
  ])('issue 14: %j is refused', (extra, message) => {
    expect(messageOf(tool(extra))).toContain(message);
  });

  it('issue 14: serial and jobs together are refused, naming the tool (neither silently wins)', () => {
    expect(messageOf(tool({ serial: true, jobs: 4 }))).toBe(
      '.runnerrc.json: tools[0].jobs is 4; expected either "serial": true or "jobs", not both ("serial": true is "jobs": 1; tool "lint")',
    );
    expect(messageOf(tool({ serial: true, jobs: 1 }))).toContain('not both');
    expect(validateConfig(tool({ serial: false, jobs: 4 }), 'f').tools[0]).toMatchObject({ serial: false, jobs: 4 });
  });
});

describe("a tool's env", () => {
  it.each([
    [{ env: ['A=1'] }, 'tools[0].env is ["A=1"]; expected an object of variable names to strings or arrays of strings'],
    [{ env: { 'A-B': '1' } }, 'tools[0].env.A-B is "A-B"; expected a variable name of letters, digits and "_"'],
    [{ env: { A: 1 } }, 'tools[0].env.A is 1; expected a string, or an array of strings joined with ":"'],
    [{ env: { A: 'x\0y' } }, 'tools[0].env.A is "x\\u0000y"; expected a value without a NUL byte'],
    [{ env: { A: 'x'.repeat(200_000) } }, 'tools[0].env.A is "xxxxxxxxxx'],
  ])("issue 14: is checked as the top-level env is, naming the tool's key (%#)", (extra, message) => {
    expect(messageOf(tool(extra))).toContain(message);
  });

  it('issue 14: is laid over the top-level env for that tool only, and latched in its latch alone', () => {
    const [a, b] = latched({
      env: { LANG: 'C.UTF-8', X: '1' },
      tools: [
        { name: 'a', command: ['sh', '-c', 'true'] },
        { name: 'b', command: ['sh', '-c', 'true'], env: { X: '2', Y: ['/p', '/q'] } },
      ],
    });
    expect(a!.env).toEqual({ LANG: 'C.UTF-8', X: '1', PATH: '/usr/bin:/bin', HOME: '/root' });
    expect(b!.env).toEqual({ LANG: 'C.UTF-8', X: '2', Y: '/p:/q', PATH: '/usr/bin:/bin', HOME: '/root' });
    expect(a!.latch.env).toEqual({ LANG: '=C.UTF-8', X: '=1' });
    expect(b!.latch.env).toEqual({ LANG: '=C.UTF-8', X: '=2', Y: '=/p:/q' });
  });

  it("issue 14: a change in one tool's env changes that tool's latch id only", () => {
    const config = (x: string) => ({
      tools: [
        { name: 'a', command: ['sh', '-c', 'true'] },
        { name: 'b', command: ['sh', '-c', 'true'], env: { X: x } },
      ],
    });
    const [a1, b1] = latched(config('1'));
    const [a2, b2] = latched(config('2'));
    expect(a2!.latchId).toBe(a1!.latchId);
    expect(b2!.latchId).not.toBe(b1!.latchId);
  });

  it('issue 14: a name the tool sets wins over passEnv and passThroughEnv, and is latched by value', () => {
    const [t] = latched({
      passEnv: ['LANG'],
      tools: [{ name: 'a', command: ['sh', '-c', 'true'], env: { LANG: 'C.UTF-8', HOME: '/fixed' } }],
    });
    expect(t!.env).toEqual({ LANG: 'C.UTF-8', HOME: '/fixed', PATH: '/usr/bin:/bin' });
    expect(t!.latch.env).toEqual({ LANG: '=C.UTF-8', HOME: '=/fixed' });
  });

  it("issue 14: a tool's PATH finds its programs", () => {
    const [t] = latched({ tools: [{ name: 'a', command: ['sh', '{file}'], env: { PATH: '/nonexistent:/bin' } }] });
    expect(t!.program).toBe('/bin/sh');
    expect(() => latched({ tools: [{ name: 'a', command: ['sh', '{file}'], env: { PATH: '/nonexistent' } }] })).toThrow(
      /"sh"/,
    );
  });

  it('issue 14: "deps": "python" tools with different envs are refused (they share one import graph)', () => {
    expect(
      messageOf({
        tools: [
          { name: 'a', command: ['a', '{file}'], deps: 'python' },
          { name: 'b', command: ['b', '{file}'], deps: 'python', env: { PYTHONPATH: 'lib' } },
        ],
      }),
    ).toContain(
      'tools[1].env is {"PYTHONPATH":"lib"}; expected the same "env" as tools[0] ("a"): "deps": "python" tools share one import graph',
    );
    expect(
      validateConfig(
        {
          tools: [
            { name: 'a', command: ['a', '{file}'], deps: 'python', env: { X: ['1', '2'] } },
            { name: 'b', command: ['b', '{file}'], deps: 'python', env: { X: '1:2' } },
            { name: 'c', command: ['c', '{file}'], env: { PYTHONPATH: 'other' } },
          ],
        },
        'f',
      ).tools,
    ).toHaveLength(3);
  });
});
