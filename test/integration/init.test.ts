// runner init on real trees: the starter it writes loads, its real tools
// (python3, pytest, node_modules/.bin/tsc, node --test) pass on the fixtures,
// a second run starts no tool, and an existing config is never overwritten.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RunJson, baseEnv, runJson, runRunner } from '../helpers/cli.js';
import { REPO, readText, useFixture, writeText } from '../helpers/sandbox.js';

/** A python3 on PATH that logs each `python3 -m ...` (a tool's process) to calls.log, then runs the real one. */
function wrapPython(scratch: string): Record<string, string> {
  const bin = path.join(scratch, 'bin');
  fs.mkdirSync(bin);
  const real = process.env
    .PATH!.split(':')
    .map((d) => path.join(d, 'python3'))
    .find((p) => fs.existsSync(p))!;
  fs.writeFileSync(
    path.join(bin, 'python3'),
    `#!/bin/sh\ncase "$1" in -m) echo "$*" >> '${scratch}/calls.log';; esac\nexec '${real}' "$@"\n`,
    { mode: 0o755 },
  );
  return baseEnv({ PATH: `${bin}:${process.env.PATH}` });
}

function toolCalls(scratch: string): string[] {
  try {
    return fs.readFileSync(path.join(scratch, 'calls.log'), 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

const jobsOf = (json: RunJson): string[] => json.jobs.map((j) => `${j.tool} ${j.file} ${j.status}`).sort();

describe('runner init', () => {
  it("issue 16: the pytest tool takes pytest's testpaths from setup.cfg and leaves vendored and --ignore'd tests out", async () => {
    const sb = useFixture('python-demo');
    fs.rmSync(path.join(sb.tree, '.runnerrc.json'));
    fs.appendFileSync(
      path.join(sb.tree, 'setup.cfg'),
      '\n[tool:pytest]\ntestpaths =\n    tests\n    calc\naddopts = -q --ignore=calc/fixtures\n',
    );
    writeText(sb, 'calc/fixtures/test_data.py', 'def test_data():\n    pass\n');
    writeText(sb, 'docs/test_example.py', 'def test_example():\n    pass\n');
    writeText(sb, 'calc/_vendor/six/test_six.py', 'def test_six():\n    pass\n');
    const init = await runRunner(['init'], { cwd: sb.tree, env: baseEnv() });
    expect(init.code, init.stderr).toBe(0);
    const config = JSON.parse(readText(sb, '.runnerrc.json')) as { tools: Record<string, unknown>[] };
    expect(config.tools.find((t) => t.name === 'pytest')).toMatchObject({
      include: ['tests/**/test_*.py', 'tests/**/*_test.py', 'calc/**/test_*.py', 'calc/**/*_test.py'],
      exclude: ['**/_vendor/**', 'calc/fixtures/**'],
    });
  });

  it('issue 15: on a Python tree, writes a config whose syntax check and pytest pass, then a second run starts nothing', async () => {
    const sb = useFixture('python-demo');
    fs.rmSync(path.join(sb.tree, '.runnerrc.json'));
    const env = wrapPython(sb.scratch);
    const init = await runRunner(['init'], { cwd: sb.tree, env });
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('runner: wrote .runnerrc.json (Python: 6 files, 2 test files)');
    expect(init.stdout).toContain('  runner run ');
    const config = JSON.parse(readText(sb, '.runnerrc.json')) as { $schema: string; tools: { name: string }[] };
    expect(config.$schema).toBe('./node_modules/incremental-runner/schema/config.schema.json');
    expect(config.tools.map((t) => t.name)).toEqual(['python-syntax', 'pytest']);

    const first = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
    expect(first.res.code, first.res.stderr).toBe(0);
    expect(first.json.counts).toMatchObject({ jobs: 8, ran: 8, passed: 8, failed: 0 });
    expect(jobsOf(first.json)).toContain('pytest tests/test_ops.py passed');
    // One process per tool at -j 1: both are batch tools.
    const calls = toolCalls(sb.scratch);
    expect(calls.filter((c) => c.startsWith('-m py_compile'))).toHaveLength(1);
    expect(calls.filter((c) => c.startsWith('-m pytest'))).toHaveLength(1);

    fs.rmSync(path.join(sb.scratch, 'calls.log'));
    const second = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
    expect(second.res.code).toBe(0);
    expect(second.json.counts).toMatchObject({ jobs: 8, ran: 0, fresh: 8 });
    expect(toolCalls(sb.scratch)).toEqual([]);
  });

  it('issue 15: on a TypeScript and JavaScript tree, writes tsc and node --test tools that pass, then a second run starts nothing', async () => {
    const sb = useFixture('js-demo');
    fs.rmSync(path.join(sb.tree, '.runnerrc.json'));
    writeText(sb, 'lib/greet.ts', 'export function greet(name: string): string {\n  return `hello ${name}`;\n}\n');
    writeText(
      sb,
      'lib/use.ts',
      "import { greet } from './greet.js';\nimport { word } from 'greeting-data';\nexport const line: string = greet(word);\n",
    );
    // An ambient declaration no file imports: tsc given files sees it only when the command names it.
    writeText(sb, 'types/greeting.d.ts', "declare module 'greeting-data' {\n  export const word: string;\n}\n");
    writeText(
      sb,
      'tsconfig.json',
      // No checking of the .d.ts files of node_modules: a shorter tsc.
      '{\n  // as tsc allows\n  "compilerOptions": { "strict": true, "module": "nodenext", "outDir": "dist", "skipLibCheck": true },\n}\n',
    );
    // The project's own typescript, as `npm install -D typescript` would give the tree.
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(sb.tree, 'node_modules'));
    const env = baseEnv();
    const init = await runRunner(['init'], { cwd: sb.tree, env });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain(
      'runner: wrote .runnerrc.json (TypeScript: 2 files; JavaScript: 5 files, 2 test files)',
    );
    expect(init.stdout).toContain('not in its command: outDir');
    const config = JSON.parse(readText(sb, '.runnerrc.json')) as { tools: { name: string; command: string[] }[] };
    expect(config.tools.map((t) => t.name)).toEqual(['tsc', 'js-syntax', 'node-test']);
    expect(config.tools[0]!.command).toEqual([
      'node_modules/.bin/tsc',
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--skipLibCheck',
      'types/greeting.d.ts',
      '{files}',
    ]);
    // The declaration file, and the type packages tsc loads unasked (the project's node_modules has @types).
    expect(config.tools[0]).toMatchObject({ inputs: ['types/greeting.d.ts', 'node_modules/@types'] });

    const first = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
    expect(first.res.code, first.res.stderr).toBe(0);
    expect(first.json.counts).toMatchObject({ jobs: 9, ran: 9, passed: 9 });
    expect(jobsOf(first.json)).toEqual(
      expect.arrayContaining(['tsc lib/use.ts passed', 'node-test test/math.test.mjs passed']),
    );
    const second = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
    expect(second.res.code).toBe(0);
    expect(second.json.counts).toMatchObject({ jobs: 9, ran: 0, fresh: 9 });

    // The declaration changed: every tsc job checks again (here, against its new type), and only those.
    writeText(sb, 'types/greeting.d.ts', "declare module 'greeting-data' {\n  export const word: number;\n}\n");
    const third = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
    expect(third.res.code).toBe(1);
    expect(third.json.counts).toMatchObject({ jobs: 9, ran: 2, passed: 1, failed: 1 });
    expect(jobsOf(third.json).filter((j) => j.startsWith('tsc '))).toEqual([
      'tsc lib/greet.ts passed',
      'tsc lib/use.ts failed',
    ]);
  });

  it('a type package tsc loads with no import (node_modules/@types) is an input of the tsc tool: upgrading it checks every file again', async () => {
    const sb = useFixture('js-demo');
    fs.rmSync(path.join(sb.tree, '.runnerrc.json'));
    writeText(sb, 'tsconfig.json', '{ "compilerOptions": { "strict": true } }\n');
    writeText(sb, 'lib/use.ts', 'export const line: string = greetingWord;\n');
    writeText(sb, 'lib/other.ts', 'export const other = 1;\n');
    // The project's own typescript, in a node_modules of the tree's own (the @types below are the tree's).
    fs.mkdirSync(path.join(sb.tree, 'node_modules/.bin'), { recursive: true });
    fs.symlinkSync(path.join(REPO, 'node_modules/typescript'), path.join(sb.tree, 'node_modules/typescript'));
    fs.symlinkSync('../typescript/bin/tsc', path.join(sb.tree, 'node_modules/.bin/tsc'));
    const greeting = (type: string, version: string): void => {
      writeText(sb, 'node_modules/@types/greeting/package.json', JSON.stringify({ name: '@types/greeting', version }));
      writeText(sb, 'node_modules/@types/greeting/index.d.ts', `declare const greetingWord: ${type};\n`);
    };
    greeting('string', '1.0.0');
    const env = baseEnv();
    const init = await runRunner(['init'], { cwd: sb.tree, env });
    expect(init.code, init.stderr).toBe(0);
    const config = JSON.parse(readText(sb, '.runnerrc.json')) as { tools: { name: string; inputs?: string[] }[] };
    expect(config.tools.find((t) => t.name === 'tsc')!.inputs).toEqual(['node_modules/@types']);

    const tscJobs = (json: RunJson): string[] => jobsOf(json).filter((j) => j.startsWith('tsc '));
    const first = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
    expect(first.res.code, first.res.stdout).toBe(0);
    expect(tscJobs(first.json)).toEqual(['tsc lib/other.ts passed', 'tsc lib/use.ts passed']);
    const second = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
    expect(second.json.counts).toMatchObject({ ran: 0 });

    // No file imports it, yet it changes what tsc says of lib/use.ts: both tsc jobs run again, and only they.
    greeting('number', '2.0.0');
    const third = await runJson(['run', '-j', '1'], { cwd: sb.tree, env });
    expect(third.res.code).toBe(1);
    expect(third.json.counts).toMatchObject({ ran: 2, failed: 1 });
    expect(tscJobs(third.json)).toEqual(['tsc lib/other.ts passed', 'tsc lib/use.ts failed']);

    /** The tsc tool's inputs that init writes for this tsconfig, the config before it moved away. */
    const inputsFor = async (tsconfig: string): Promise<string[] | undefined> => {
      writeText(sb, 'tsconfig.json', tsconfig);
      fs.rmSync(path.join(sb.tree, '.runnerrc.json'));
      const res = await runRunner(['init'], { cwd: sb.tree, env });
      expect(res.code, res.stderr).toBe(0);
      const written = JSON.parse(readText(sb, '.runnerrc.json')) as { tools: { name: string; inputs?: string[] }[] };
      return written.tools.find((t) => t.name === 'tsc')!.inputs;
    };
    // A tsconfig naming its `types` loads only those: each one found is an input by its package.json.
    expect(await inputsFor('{ "compilerOptions": { "types": ["greeting", "not-installed"] } }\n')).toEqual([
      'node_modules/@types/greeting/package.json',
    ]);
    // An empty `types` has no command-line form: the command loads every package, and all of them are the input.
    expect(await inputsFor('{ "compilerOptions": { "types": [] } }\n')).toEqual(['node_modules/@types']);
  });

  it('a tsc that says it is 6 or later is given --ignoreConfig (it refuses files beside a tsconfig.json without); one that does not answer too, with a note', async () => {
    const sb = useFixture('js-demo');
    fs.rmSync(path.join(sb.tree, '.runnerrc.json'));
    writeText(sb, 'lib/greet.ts', 'export const greet = (name: string): string => name;\n');
    writeText(sb, 'tsconfig.json', '{ "compilerOptions": { "strict": true } }\n');
    // The tree's own tsc answers as TypeScript 6 does; init asks it, in the tree.
    writeText(
      sb,
      'node_modules/.bin/tsc',
      `#!/bin/sh\n[ "$1" = --version ] && [ "$PWD" = '${sb.tree}' ] && echo 'Version 6.0.3' && exit 0\nexit 1\n`,
    );
    fs.chmodSync(path.join(sb.tree, 'node_modules/.bin/tsc'), 0o755);
    // No tsc on PATH: only node's directory and the system's.
    const env = baseEnv({ PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` });
    const tscCommand = (): string[] =>
      (JSON.parse(readText(sb, '.runnerrc.json')) as { tools: { name: string; command: string[] }[] }).tools.find(
        (t) => t.name === 'tsc',
      )!.command;

    const six = await runRunner(['init'], { cwd: sb.tree, env });
    expect(six.code, six.stderr).toBe(0);
    expect(tscCommand()).toEqual(['node_modules/.bin/tsc', '--noEmit', '--ignoreConfig', '--strict', '{files}']);
    expect(six.stdout).not.toContain("tsc's version is unknown");

    // None installed: the command takes tsc from PATH, passes the flag an install today needs, and says so.
    fs.rmSync(path.join(sb.tree, '.runnerrc.json'));
    fs.rmSync(path.join(sb.tree, 'node_modules'), { recursive: true });
    const none = await runRunner(['init'], { cwd: sb.tree, env });
    expect(none.code, none.stderr).toBe(0);
    expect(tscCommand()).toEqual(['tsc', '--noEmit', '--ignoreConfig', '--strict', '{files}']);
    expect(none.stdout).toContain(
      "runner: note: tsc's version is unknown (none answered `tsc --version`): the command passes --ignoreConfig, which TypeScript 6 and later need; remove it for TypeScript 5 or older.\n",
    );
  });

  it('issue 15: never overwrites a config: exit 2 naming it, the file untouched', async () => {
    const sb = useFixture('python-demo');
    const before = readText(sb, '.runnerrc.json');
    const res = await runRunner(['init'], { cwd: sb.tree });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      'runner: error: .runnerrc.json: exists already; runner init never overwrites a config: edit that one, or move it away and run runner init again\n',
    );
    expect(readText(sb, '.runnerrc.json')).toBe(before);

    // Any place runner finds a config counts: a "runner" key in package.json.
    fs.rmSync(path.join(sb.tree, '.runnerrc.json'));
    writeText(sb, 'package.json', JSON.stringify({ name: 'x', runner: { tools: [] } }));
    const inPackage = await runRunner(['init'], { cwd: sb.tree });
    expect(inPackage.code).toBe(2);
    expect(inPackage.stderr).toContain('runner: error: package.json: holds a runner config already ("runner")');
    expect(fs.existsSync(path.join(sb.tree, '.runnerrc.json'))).toBe(false);
  });

  it('issue 15: in a directory below a configured tree, writes a config of its own and says the one above stays', async () => {
    const sb = useFixture('python-demo');
    fs.mkdirSync(path.join(sb.tree, '.git')); // the repository's root: the search for a config stops there
    const res = await runRunner(['init'], { cwd: path.join(sb.tree, 'calc') });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('runner: wrote .runnerrc.json (Python: 3 files, 0 test files)');
    expect(res.stdout).toContain(
      `runner: note: ${path.join(sb.tree, '.runnerrc.json')} above stays the config of the rest of the tree; here and below, runner now finds this one first.`,
    );
    expect(fs.existsSync(path.join(sb.tree, 'calc', '.runnerrc.json'))).toBe(true);
  });

  it('issue 15: a tree with nothing it knows how to check is exit 2, and nothing is written', async () => {
    const sb = useFixture('python-demo');
    for (const name of fs.readdirSync(sb.tree)) fs.rmSync(path.join(sb.tree, name), { recursive: true });
    writeText(sb, 'README.md', '# notes\n');
    const res = await runRunner(['init'], { cwd: sb.tree });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('holds no Python, JavaScript or TypeScript file');
    expect(fs.readdirSync(sb.tree)).toEqual(['README.md']);
  });
});
