// Dependencies a job reports by running: "deps": "depfile" (a make-style
// depfile the tool writes) and "deps": "trace" (the files it opens, by strace).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, jobKeys, runJson, runRunner, show } from '../helpers/cli.js';
import { type Sandbox, appendText, readConfig, useFixture, writeConfig } from '../helpers/sandbox.js';

async function firstRun(sb: Sandbox): Promise<void> {
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(json.counts).toMatchObject({ jobs: 4, ran: 4, passed: 4 });
}

async function ran(sb: Sandbox): Promise<{ keys: string[]; reasons: string[][] }> {
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  return { keys: jobKeys(json.jobs), reasons: json.jobs.map((j) => j.reasons) };
}

describe('deps: depfile', () => {
  test('a header listed in the depfile re-runs the source that includes it, and nothing else', async () => {
    const sb = useFixture('deps-dynamic');
    await firstRun(sb);
    expect((await ran(sb)).keys).toEqual([]);
    appendText(sb, 'include/b.h', '// changed\n'); // included by a.h, included by main.c
    expect(await ran(sb)).toEqual({ keys: ['cc src/main.c'], reasons: [['dependency']] });
    const text = await runRunner(['explain', 'src/other.c'], { cwd: sb.tree, env: baseEnv() });
    expect(text.stdout).toMatch(/cc:\s+fresh/);
  });

  test('a job that wrote no depfile runs every time, saying why', async () => {
    const sb = useFixture('deps-dynamic');
    const config = readConfig(sb) as { tools: { name: string; depfile?: string }[] };
    config.tools[0]!.depfile = 'build/nowhere/{file}.d';
    writeConfig(sb, config);
    await firstRun(sb);
    expect((await ran(sb)).keys).toEqual(['cc src/main.c', 'cc src/other.c']);
    const text = await runRunner(['explain', 'src/main.c'], { cwd: sb.tree, env: baseEnv() });
    expect(text.stdout).toContain('dependency <no depfile from the last run> is new');
  });
});

test('issue 13: a job that reported no dependencies does not make the others run again once the results are folded', async () => {
  const sb = useFixture('deps-dynamic');
  const log = path.join(sb.scratch, 'ran');
  const probed = (command: string): string => `echo {file} >> '${log}'; ${command}`;
  const config = (withReader: boolean): unknown => ({
    include: ['src/**', 'include/**'],
    env: { LANG: 'C.UTF-8' },
    tools: [
      // Its job writes no depfile: its result's dependencies are unknown, and it runs every time.
      {
        name: 'mute',
        command: probed('true'),
        include: ['src/plain.txt'],
        deps: 'depfile',
        depfile: 'build/nowhere/{file}.d',
      },
      {
        name: 'cc',
        command: probed('python3 tools/fakecc.py {file}'),
        include: ['src/**/*.c'],
        deps: 'depfile',
        depfile: 'build/{file}.d',
      },
      ...(withReader
        ? [{ name: 'read', command: probed('python3 tools/reader.py {file}'), include: ['src/use.txt'], deps: 'trace' }]
        : []),
    ],
  });
  const runs = (): string[] => {
    const lines = fs.existsSync(log)
      ? fs
          .readFileSync(log, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
      : [];
    fs.rmSync(log, { force: true });
    return lines.sort();
  };
  writeConfig(sb, config(true));
  expect((await runRunner(['run'], { cwd: sb.tree, env: baseEnv() })).code).toBe(0);
  expect(runs()).toEqual(['src/main.c', 'src/other.c', 'src/plain.txt', 'src/use.txt']);
  // A tool taken out drops its results: the journal is folded into the results snapshot.
  writeConfig(sb, config(false));
  expect((await runRunner(['run'], { cwd: sb.tree, env: baseEnv() })).code).toBe(0);
  expect(runs()).toEqual(['src/plain.txt']);
  const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(runs()).toEqual(['src/plain.txt']);
});

describe('deps: trace', () => {
  test('a file the job opened, though untracked, re-runs that job when it changes', async () => {
    const sb = useFixture('deps-dynamic');
    await firstRun(sb);
    fs.writeFileSync(path.join(sb.tree, 'data/one.txt'), '2\n');
    expect(await ran(sb)).toEqual({ keys: ['read src/use.txt'], reasons: [['dependency']] });
    const text = await runRunner(['explain', 'src/use.txt'], { cwd: sb.tree, env: baseEnv() });
    expect(text.stdout).toContain('fresh');
    expect((await ran(sb)).keys).toEqual([]);
  });

  test('runner clean removes a state directory that traced jobs used', async () => {
    const sb = useFixture('deps-dynamic');
    await firstRun(sb);
    expect(fs.readdirSync(path.join(sb.tree, '.runner'))).toContain('traces');
    const res = await runRunner(['clean'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    expect(fs.existsSync(path.join(sb.tree, '.runner'))).toBe(false);
  });

  test('without strace, a traced tool stops the run with exit 2 and how to install it', async () => {
    const sb = useFixture('deps-dynamic');
    // A PATH with python3 but no strace.
    const bin = path.join(sb.scratch, 'bin');
    fs.mkdirSync(bin);
    const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], {
      encoding: 'utf8',
    }).stdout.trim();
    fs.symlinkSync(python, path.join(bin, 'python3'));
    const res = await runRunner(['run'], { cwd: sb.tree, env: { ...baseEnv(), PATH: bin } });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toContain(
      '"deps": "trace" needs strace, which is not installed: install it (Debian and Ubuntu: apt-get install strace)',
    );
  });
});

describe('runner deps for tools that report their dependencies', () => {
  test('prints what the last run recorded, and says when nothing is known yet', async () => {
    const sb = useFixture('deps-dynamic');
    type Recorded = { recorded: { tool: string; kind: string; deps: string[] | null }[] };
    const before = await runJson<Recorded>(['deps', 'src/main.c'], { cwd: sb.tree, env: baseEnv() });
    expect(before.res.code, show(before.res)).toBe(0);
    expect(before.json.recorded).toEqual([{ tool: 'cc', kind: 'depfile', deps: null }]);
    await firstRun(sb);
    const cc = await runJson<Recorded>(['deps', 'src/main.c'], { cwd: sb.tree, env: baseEnv() });
    expect(cc.json.recorded).toEqual([{ tool: 'cc', kind: 'depfile', deps: ['include/a.h', 'include/b.h'] }]);
    const traced = await runJson<Recorded>(['deps', 'src/use.txt'], { cwd: sb.tree, env: baseEnv() });
    expect(traced.json.recorded[0]!.deps).toContain('data/one.txt');
  });
});
