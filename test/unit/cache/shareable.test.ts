// unshareableParts: which parts of a job's key belong to one machine or
// checkout, judged from the tool's latch and the environment its jobs see.
import { describe, expect, it } from 'vitest';
import { placeNamedDeps, unshareableParts } from '../../../src/cache/shareable.js';
import type { ExecutableIdentity, LatchedTool, ToolLatch } from '../../../src/config/index.js';
import { TOOL_DEFAULTS } from '../../../src/config/schema.js';
import type { Job } from '../../../src/plan/index.js';
import type { Digest, Fingerprint, LatchId, RelPath } from '../../../src/types.js';

const TREE = '/work/checkout-a';
const HOME = '/home/alice';

function program(extra: Partial<ExecutableIdentity> = {}): ExecutableIdentity {
  return {
    name: 'node',
    digest: 'abc123',
    package: null,
    where: { path: '/usr/bin/node', realPath: '/usr/bin/node', program: '/usr/bin/node', shim: null },
    ...extra,
  };
}

/** A job of a tool with this latch (env: latched values), seeing `env`. */
function job(o: {
  command?: string | string[];
  latchEnv?: Record<string, string>;
  env?: Record<string, string>;
  executables?: readonly ExecutableIdentity[];
  inputs?: Record<string, string>;
}): Job {
  const command = o.command ?? ['node', 'check.js', '{file}'];
  const latch: ToolLatch = {
    tool: {
      command,
      deps: 'none',
      depfile: null,
      timeout: null,
      pty: false,
      inputs: Object.keys(o.inputs ?? {}),
      mergeEnv: false,
      passThroughEnv: ['PATH'],
    },
    env: o.latchEnv ?? {},
    executables: [...(o.executables ?? [program()])],
    inputs: o.inputs ?? {},
  };
  const tool: LatchedTool = {
    config: { ...TOOL_DEFAULTS, name: 'check', command },
    latch,
    latchId: 'latch' as LatchId,
    env: { PATH: '/usr/bin:/bin', HOME, ...(o.env ?? {}) },
    program: '/usr/bin/node',
    shell: typeof command === 'string',
    inputPaths: [],
    inputWarnings: [],
    sourceTree: TREE,
  };
  return { tool, path: 'a.js' as RelPath, digest: 'd' as Digest, fingerprint: 'f' as Fingerprint, deps: null };
}

describe('issue 16: unshareableParts names what in a key belongs to one machine or checkout', () => {
  it('finds nothing in a key of programs by content, config values and inputs below the tree or ~/', () => {
    const j = job({
      latchEnv: {
        LANG: '=C.UTF-8',
        PATH: '=node_modules/.bin:/usr/bin:/bin',
        CI: '#3f2a',
        PYTHONPATH: '=<source-tree>',
      },
      env: { LANG: 'C.UTF-8', CI: 'true', PYTHONPATH: TREE },
      executables: [program(), program({ name: 'python3', venv: '.venv' })],
      inputs: { 'setup.cfg': 'd1', '~/.npmrc': 'd2', '/etc/ssl/certs/ca.pem': 'd3', 'config/': 'missing' },
    });
    expect(unshareableParts(j)).toEqual([]);
  });

  it.each([
    ['passEnv HOME', { latchEnv: { HOME: '#h' } }, 'HOME is latched by value, a path on this machine (passEnv)'],
    [
      'passEnv of a path inside the checkout',
      { latchEnv: { OUT: '#o' }, env: { OUT: `${TREE}/build` } },
      'OUT is latched by value, a path on this machine (passEnv)',
    ],
    [
      'passEnv USER',
      { latchEnv: { USER: '#u' }, env: { USER: 'alice' } },
      'USER is latched by value (a user or host name)',
    ],
    [
      "an opaque shell command's PATH",
      { command: 'eval "$CHECK" {file}', latchEnv: { PATH: '#p' } },
      'PATH is latched by value (a shell command whose programs runner cannot tell)',
    ],
    [
      "a config value naming this checkout's path",
      { latchEnv: { OUT: `=${TREE}/out` }, env: { OUT: `${TREE}/out` } },
      "env OUT names a path in this checkout or this user's home by its absolute path",
    ],
    [
      'a venv outside the tree',
      { executables: [program({ name: 'python3', venv: '/opt/x' })] },
      'venv /opt/x outside the source tree (its packages are not in the key)',
    ],
    [
      'a program runner cannot read',
      { executables: [program({ digest: 'unreadable 10:123' })] },
      'program node cannot be read here (known by its size and mtime)',
    ],
    [
      'a shim whose manager names no program',
      { executables: [program({ digest: 'unresolved: pyenv names no program (x)' })] },
      'program node: its version manager names no program here',
    ],
    [
      'an input under HOME named by its absolute path',
      { inputs: { [`${HOME}/.npmrc`]: 'd' } },
      `input ${HOME}/.npmrc names a path in this checkout or this user's home by its absolute path (write it relative, or as ~/...)`,
    ],
    [
      'an input runner cannot read',
      { inputs: { 'secret.key': 'unreadable (EACCES, 1)' } },
      'input secret.key cannot be read here',
    ],
  ] as const)('reports %s', (_what, o, phrase) => {
    expect(unshareableParts(job(o))).toEqual([phrase]);
  });
});

describe('issue 16: placeNamedDeps groups the files outside the tree a key names by place', () => {
  it.each([
    ['nothing for tracked files and names under the source tree', ['app/a.py', '<source-tree>/.venv/x.py'], []],
    [
      'a pyenv in /root named absolutely (another HOME), most files first',
      [
        '/root/.pyenv/versions/3.11.7/lib/python3.11/os.py',
        '/root/.pyenv/versions/3.11.7/lib/python3.11/json/__init__.py',
        '/usr/lib/python3/dist-packages/six.py',
      ],
      [
        { under: '/root/.pyenv/versions', by: 'absolute', files: 2 },
        { under: '/usr/lib/python3', by: 'absolute', files: 1 },
      ],
    ],
    [
      'the same below HOME, and a file near the root by its directory',
      ['~/.pyenv/versions/3.11.7/lib/python3.11/os.py', '/opt/x.py', '/y.py'],
      [
        { under: '/', by: 'absolute', files: 1 },
        { under: '/opt', by: 'absolute', files: 1 },
        { under: '~/.pyenv/versions', by: 'home', files: 1 },
      ],
    ],
  ] as const)('%s', (_what, names, groups) => {
    expect(placeNamedDeps(names)).toEqual(groups);
  });
});
