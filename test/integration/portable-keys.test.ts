// Portable keys (issue 16, point 1): two clones of one tree at different
// paths, run by different users (HOME, TMPDIR, USER), compute the same
// fingerprint for every job, python and javascript dependencies outside the
// tracked set and declared inputs below HOME included; and explain says when a
// job's key holds something of this machine alone.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, runRunner, show } from '../helpers/cli.js';
import { type Sandbox, readConfig, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

interface ExplainedTool {
  tool: string;
  state: string;
  unshareable?: string[];
  last: { fingerprint: string } | null;
}

/** The environment of one user on one machine: nothing inherited from the test process. */
function userEnv(root: string, user: string): Record<string, string> {
  const home = path.join(root, `home-${user}`);
  const tmp = path.join(root, `tmp-${user}`);
  fs.mkdirSync(tmp, { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  fs.writeFileSync(path.join(home, '.toolrc'), 'strict = true\n'); // the same per-user input for both
  return { PATH: '/usr/bin:/bin', HOME: home, TMPDIR: tmp, USER: user, LOGNAME: user, NO_COLOR: '1' };
}

/**
 * A tree with a venv inside it (excluded, its site-packages holding a package
 * a test imports), a node_modules package a module imports, and a tool with
 * declared inputs in the tree and below HOME. The tools find their programs
 * on the config's PATH (the venv's python3 first), the same in every clone.
 */
function projectTree(): Sandbox {
  const sb = useFixture('python-deps');
  fs.rmSync(path.join(sb.tree, 'tests'), { recursive: true });
  writeText(sb, 'tests/test_ext.py', 'import json\nimport extpkg\n');
  writeText(sb, 'tests/test_app.py', 'from app import util\n');
  execFileSync('python3', ['-m', 'venv', '--without-pip', path.join(sb.tree, '.venv')]);
  const [lib] = fs.readdirSync(path.join(sb.tree, '.venv', 'lib'));
  const site = `.venv/lib/${lib}/site-packages`;
  writeText(sb, `${site}/extpkg/__init__.py`, 'from extpkg.inner import VALUE\n');
  writeText(sb, `${site}/extpkg/inner.py`, 'VALUE = 1\n');
  writeText(sb, 'node_modules/dep/package.json', '{ "name": "dep", "version": "1.0.0", "main": "index.js" }\n');
  writeText(sb, 'node_modules/dep/index.js', 'module.exports = require("./more.js");\n');
  writeText(sb, 'node_modules/dep/more.js', 'module.exports = 1;\n');
  writeText(sb, 'node_modules/dep/config.json', '{ "factor": 2 }\n'); // a leaf: no code behind it
  writeText(
    sb,
    'src/uses-dep.ts',
    'import dep from "dep";\nimport config from "dep/config.json";\nimport { twice } from "./util";\nexport const x = twice(dep) * config.factor;\n',
  );
  writeText(sb, 'src/util.ts', 'export const twice = (n: number): number => 2 * n;\n');
  writeText(sb, 'settings.ini', 'opt = 1\n');
  writeText(sb, 'lint.cfg', 'max = 3\n');
  const config = readConfig(sb);
  writeConfig(sb, {
    ...config,
    include: ['**/*.py', '**/*.ts', 'settings.ini', 'lint.cfg'],
    exclude: ['**/__pycache__/**', '.venv/**', 'node_modules/**'],
    env: { LANG: 'C.UTF-8', PATH: ['.venv/bin', path.dirname(process.execPath), '/usr/bin', '/bin'] },
    tools: [
      { name: 'pytest', command: ['python3', '-c', 'pass', '{file}'], include: ['tests/test_*.py'], deps: 'python' },
      { name: 'tsc', command: ['node', '-e', '0', '{file}'], include: ['src/**/*.ts'], deps: 'javascript' },
      {
        name: 'lint',
        command: ['node', '-e', '0', '{file}'],
        include: ['settings.ini'],
        inputs: ['lint.cfg', '~/.toolrc'],
      },
    ],
  });
  return sb;
}

const FILES = [
  'tests/test_ext.py',
  'tests/test_app.py',
  'app/util.py',
  'src/uses-dep.ts',
  'src/util.ts',
  'settings.ini',
];

/** "tool file fingerprint" of every job's last result on FILES, as explain --json gives them. */
async function fingerprints(tree: string, env: Record<string, string>): Promise<string[]> {
  const out: string[] = [];
  for (const file of FILES) {
    const { res, json } = await runJson<{ tools: ExplainedTool[] }>(['explain', file], { cwd: tree, env });
    expect(res.code, show(res)).toBe(0);
    for (const t of json.tools) if (t.last !== null) out.push(`${t.tool} ${file} ${t.last.fingerprint}`);
  }
  return out.sort();
}

describe('issue 16: portable fingerprints', () => {
  test('issue 16: two clones at different paths, run by different users, compute the same fingerprint for every job', async () => {
    const a = projectTree();
    // The second clone: the same files at another path (symlinks as they are, as git and venv make them).
    const bTree = path.join(a.root, 'elsewhere', 'clone-b');
    fs.cpSync(a.tree, bTree, { recursive: true, verbatimSymlinks: true });
    const envA = userEnv(a.root, 'alice');
    const envB = userEnv(a.root, 'bob');
    for (const [tree, env] of [
      [a.tree, envA],
      [bTree, envB],
    ] as const) {
      const run = await runRunner(['run'], { cwd: tree, env });
      expect(run.code, show(run)).toBe(0);
    }
    const inA = await fingerprints(a.tree, envA);
    // Every job of FILES ran and has a fingerprint: pytest 2, tsc 2, lint 1 (app/util.py is no job's file).
    expect(inA.map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual([
      'lint settings.ini',
      'pytest tests/test_app.py',
      'pytest tests/test_ext.py',
      'tsc src/uses-dep.ts',
      'tsc src/util.ts',
    ]);
    expect(await fingerprints(bTree, envB)).toEqual(inA);
  });

  test('issue 16: a file outside the tracked set counts by its content: touching it re-runs nothing, editing it re-runs its users', async () => {
    const sb = projectTree();
    const env = userEnv(sb.root, 'alice');
    const ran = async (): Promise<string[]> => {
      const { res, json } = await runJson<{ jobs: { tool: string; file: string; status: string }[] }>(['run'], {
        cwd: sb.tree,
        env,
      });
      expect(res.code, show(res)).toBe(0);
      return json.jobs.filter((j) => j.status === 'passed').map((j) => `${j.tool} ${j.file}`);
    };
    expect(await ran()).toHaveLength(5);
    const leaf = path.join(sb.tree, 'node_modules/dep/config.json');
    // Same bytes, another mtime (as a fresh install on another machine leaves them).
    fs.utimesSync(leaf, new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect(await ran()).toEqual([]);
    fs.writeFileSync(leaf, '{ "factor": 3 }\n');
    expect(await ran()).toEqual(['tsc src/uses-dep.ts']);
  });

  test('issue 16: a dependency under HOME named another way by another HOME is said renamed, not gone and new', async () => {
    // pypa/pip under pyenv in /root: a second checkout run with another HOME names /root/.pyenv/... absolutely.
    const sb = useFixture('python-deps');
    const lib = path.join(sb.root, 'alice-home', 'pylib');
    fs.mkdirSync(lib, { recursive: true });
    fs.writeFileSync(path.join(lib, 'extmod.py'), 'import z1, z2, z3, z4\n');
    for (const z of ['z1', 'z2', 'z3', 'z4']) fs.writeFileSync(path.join(lib, `${z}.py`), 'VALUE = 1\n');
    writeText(sb, 'tests/test_ext.py', 'import extmod\n');
    writeConfig(sb, {
      ...readConfig(sb),
      env: { PATH: ['/usr/bin', '/bin'], PYTHONPATH: lib },
      tools: [
        {
          name: 'pytest',
          command: ['python3', '-c', 'pass', '{file}'],
          include: ['tests/test_ext.py'],
          deps: 'python',
        },
      ],
    });
    const alice = { ...userEnv(sb.root, 'alice'), HOME: path.join(sb.root, 'alice-home') };
    const run = await runRunner(['run'], { cwd: sb.tree, env: alice });
    expect(run.code, show(run)).toBe(0);
    const bob = userEnv(sb.root, 'bob');
    const explained = await runRunner(['explain', 'tests/test_ext.py'], { cwd: sb.tree, env: bob });
    expect(explained.code, show(explained)).toBe(0);
    const file = path.join(lib, 'extmod.py');
    // Five files renamed: three said, then how many more (another HOME renames every file below it).
    const reasons = explained.stdout.split('\n').filter((l) => l.startsWith('    - '));
    expect(reasons).toHaveLength(4);
    expect(reasons).toContain(
      `    - dependency ${file} was ~/pylib/extmod.py in the last run (another HOME: a key holds the name as well as the content)`,
    );
    expect(reasons[3]).toBe('    - and 2 more dependencies named another way (another HOME)');
    const { json } = await runJson<{ tools: { reasonDetails?: unknown[]; reasons?: unknown[] }[] }>(
      ['explain', 'tests/test_ext.py'],
      { cwd: sb.tree, env: bob },
    );
    expect(JSON.stringify(json).match(/"change":"renamed"/g)).toHaveLength(5);
    // The other way: bob's run names it absolutely (alone: alice's result would be fresh), and alice's HOME holds it.
    expect((await runRunner(['clean'], { cwd: sb.tree, env: bob })).code).toBe(0);
    const again = await runRunner(['run'], { cwd: sb.tree, env: bob });
    expect(again.code, show(again)).toBe(0);
    const back = await runRunner(['explain', 'tests/test_ext.py'], { cwd: sb.tree, env: alice });
    expect(back.stdout).toContain(
      `    - dependency ${file} is named ~/pylib/extmod.py now, ${file} in the last run (another HOME: a key holds the name as well as the content)\n`,
    );
    expect(back.stdout).not.toContain('is no longer one');
  });

  test('issue 16: explain says when a key holds passEnv HOME or the PATH of a shell command runner cannot see into', async () => {
    const sb = useFixture('python-deps');
    const env = baseEnv();
    const config = readConfig(sb);
    const tools = [
      { name: 'plain', command: ['python3', '-c', 'pass', '{file}'], include: ['app/util.py'] },
      { name: 'opaque', command: 'eval python3 -c pass {file}', include: ['app/util.py'] },
    ];
    writeConfig(sb, { ...config, tools });
    expect((await runRunner(['run'], { cwd: sb.tree, env })).code).toBe(0);
    const explained = await runRunner(['explain', 'app/util.py'], { cwd: sb.tree, env });
    expect(explained.stdout.split('\n'), show(explained)).toEqual([
      'app/util.py',
      expect.stringMatching(/^ {2}plain: {2}fresh \(last passed .*\)$/),
      expect.stringMatching(/^ {2}opaque: fresh \(last passed .*\)$/),
      '    note: its key holds what another machine or checkout cannot share, so its result is never uploaded:',
      '      - PATH is latched by value (a shell command whose programs runner cannot tell)',
      '',
    ]);

    writeConfig(sb, { ...config, passEnv: ['HOME'], tools });
    expect((await runRunner(['run'], { cwd: sb.tree, env })).code).toBe(0);
    const { json } = await runJson<{ tools: ExplainedTool[] }>(['explain', 'app/util.py'], { cwd: sb.tree, env });
    expect(json.tools.map((t) => [t.tool, t.state, t.unshareable])).toEqual([
      ['plain', 'fresh', ['HOME is latched by value, a path on this machine (passEnv)']],
      [
        'opaque',
        'fresh',
        [
          'HOME is latched by value, a path on this machine (passEnv)',
          'PATH is latched by value (a shell command whose programs runner cannot tell)',
        ],
      ],
    ]);
  });
});
