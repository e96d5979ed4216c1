// A tool's program is identified by the content of the program that really
// runs: not by its mtime or path (issue 10, point 9), and through a version
// manager's shim to the interpreter it picks (issue 10, point 3).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { BIN, type ExplainJson, baseEnv, runJson, runRunner, show } from '../helpers/cli.js';
import { PROBE_SCRIPT, probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';
import { type ShimLayout, pyenvLayout, selfMadePyenv } from '../helpers/shims.js';

const PY_COUNT = 6; // tracked .py files of python-demo

/** An npm-style install of the probe: node_modules/.bin/probe links to the package's launcher. */
function installProbe(sb: Sandbox, launcherExtra = '', version = '1.0.0'): string {
  const pkg = path.join(sb.tree, 'node_modules', 'probe');
  fs.rmSync(pkg, { recursive: true, force: true });
  fs.mkdirSync(path.join(pkg, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'probe', version, bin: 'bin/probe.mjs' }));
  const launcher = path.join(pkg, 'bin', 'probe.mjs');
  fs.writeFileSync(
    launcher,
    `#!/usr/bin/env node\nawait import(${JSON.stringify(pathToFileURL(PROBE_SCRIPT).href)});\n${launcherExtra}`,
    { mode: 0o755 },
  );
  const bin = path.join(sb.tree, 'node_modules', '.bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.rmSync(path.join(bin, 'probe'), { force: true });
  fs.symlinkSync('../probe/bin/probe.mjs', path.join(bin, 'probe'));
  return launcher;
}

async function probeRun(sb: Sandbox, cwd = sb.tree): Promise<string[]> {
  const { res } = await runJson(['run'], { cwd, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  const started = readProbeLog(sb).started;
  resetProbeLog(sb);
  return started;
}

describe('issue 10: programs are identified by content, not mtime or path', () => {
  test("issue 10: touching or reinstalling a tool's program re-runs nothing; new content re-runs all its jobs and explain names it", async () => {
    const sb = useFixture('python-demo');
    const launcher = installProbe(sb);
    probeOnly(sb, { command: ['node_modules/.bin/probe', '{file}'] });
    expect(await probeRun(sb)).toHaveLength(PY_COUNT);

    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(launcher, later, later);
    fs.lutimesSync(path.join(sb.tree, 'node_modules/.bin/probe'), later, later);
    expect(await probeRun(sb), 'touching the program').toEqual([]);

    installProbe(sb); // `npm ci`: the same bytes, new files (new inodes and mtimes)
    expect(await probeRun(sb), 'reinstalling the same program').toEqual([]);

    installProbe(sb, '// 1.0.1\n');
    const { res: dry, json } = await runJson(['run', '--dry-run'], { cwd: sb.tree, env: baseEnv() });
    expect(dry.code, show(dry)).toBe(0);
    expect(json.jobs.map((j) => j.reasons)).toEqual(Array(PY_COUNT).fill(['tool-binary']));
    const text = await runRunner(['explain', 'calc/ops.py'], { cwd: sb.tree, env: baseEnv() });
    const at = path.join(sb.tree, 'node_modules/.bin/probe');
    expect(text.stdout, show(text)).toMatch(
      new RegExp(`tool program changed: ${at} \\(content [0-9a-f]{12}\\) -> ${at} \\(content [0-9a-f]{12}\\)`),
    );
    expect(await probeRun(sb), 'new content').toHaveLength(PY_COUNT);

    installProbe(sb, '// 1.0.1\n', '1.0.1'); // the launcher alone stands for nothing else of its package
    expect(await probeRun(sb), 'another version of the package').toHaveLength(PY_COUNT);
  });

  test('issue 10: a tree copied with its state directory to another path re-runs nothing', async () => {
    const sb = useFixture('python-demo');
    installProbe(sb);
    probeOnly(sb, { command: ['node_modules/.bin/probe', '{file}'] });
    expect(await probeRun(sb)).toHaveLength(PY_COUNT);

    // A CI cache restoring .runner/ into a fresh checkout elsewhere: every inode and mtime differs.
    const copy = path.join(sb.root, 'elsewhere', 'checkout');
    fs.cpSync(sb.tree, copy, { recursive: true, verbatimSymlinks: true });
    expect(await probeRun(sb, copy)).toEqual([]);
    const { json } = await runJson<ExplainJson>(['explain', 'calc/ops.py'], { cwd: copy, env: baseEnv() });
    expect(json.tools.map((t) => t.state)).toEqual(['fresh']);
  });
});

/** python-demo with one tool, `python3 probe.py FILE` with python deps, run through the shims of `layout`; PATH holds nothing else of python. */
function pythonThroughShims(sb: Sandbox, layout: ShimLayout): void {
  const probe = path.join(sb.scratch, 'probe.py');
  fs.writeFileSync(
    probe,
    [
      'import os, sys',
      'line = f"start {sys.argv[1]} {os.getpid()}\\nend {sys.argv[1]} 0\\n"',
      'with open(os.path.join(os.environ["PROBE_DIR"], "probe.log"), "a") as f: f.write(line)',
      'with open(os.path.join(os.environ["PROBE_DIR"], "versions.log"), "a") as f: f.write(sys.version.split()[0] + "\\n")',
      '',
    ].join('\n'),
  );
  writeConfig(sb, {
    include: ['**/*.py'],
    env: { PATH: [layout.shims, '/usr/bin', '/bin'], PROBE_DIR: sb.scratch },
    passEnv: [],
    tools: [{ name: 'py', command: ['python3', probe, '{file}'], deps: 'python' }],
  });
}

function versionsSeen(sb: Sandbox): string[] {
  const file = path.join(sb.scratch, 'versions.log');
  const seen = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
  fs.rmSync(file, { force: true });
  return [...new Set(seen)];
}

/** The programs a runner run started and the files it opened, from strace's record of every execve and open. */
async function tracedRun(sb: Sandbox): Promise<{ started: string[]; opened: string[] }> {
  resetProbeLog(sb);
  const trace = path.join(sb.scratch, 'execve.trace');
  const res = await new Promise<{ code: number | null; err: string }>((resolve) => {
    const child = spawn(
      'strace',
      ['-f', '-qq', '-e', 'trace=execve,open,openat', '-o', trace, process.execPath, BIN, 'run'],
      {
        cwd: sb.tree,
        env: baseEnv(),
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('close', (code) => resolve({ code, err }));
  });
  expect(res.code, res.err).toBe(0);
  const lines = fs
    .readFileSync(trace, 'utf8')
    .split('\n')
    .filter((l) => !/ = -1 /.test(l));
  const named = (call: RegExp): string[] =>
    lines.flatMap((l) => {
      const m = call.exec(l);
      return m === null ? [] : [m[1]!];
    });
  return { started: named(/execve\("([^"]+)"/), opened: named(/open(?:at)?\((?:[A-Z_]+|\d+), "([^"]+)"/) };
}

describe.each([
  ['pyenv as installed on this machine (or a self-made one where it is not)', pyenvLayout],
  ['a self-made pyenv-like shim manager', selfMadePyenv],
])('issue 10: a version-manager shim: %s', (_name, makeLayout) => {
  test('issue 10: switching the python version re-runs every job of a python3 tool, explain names both interpreters, a no-op asks no manager', async () => {
    const sb = useFixture('python-demo');
    const layout = makeLayout(sb);
    pythonThroughShims(sb, layout);
    const [a, b] = layout.versions;
    writeText(sb, '.python-version', `${a}\n`);
    const cold = await tracedRun(sb);
    expect(readProbeLog(sb).started).toHaveLength(PY_COUNT);
    expect(cold.started, 'the first run goes through the shim').toContain(`${layout.shims}/python3`);
    const interpreter = fs.realpathSync(`${layout.root}/versions/${a}/bin/python3`); // an old file: its digest is kept
    expect(cold.opened, 'the first run reads the interpreter').toContain(interpreter);
    if (layout.real) expect(versionsSeen(sb)).toEqual([a]);

    const noop = await tracedRun(sb);
    expect(readProbeLog(sb).started, 'a no-op').toEqual([]);
    expect(
      noop.started.filter((p) => p.startsWith(layout.root)),
      'a no-op asks no manager and starts no interpreter',
    ).toEqual([]);
    expect(noop.opened, 'a no-op does not read the interpreter again').not.toContain(interpreter);

    writeText(sb, '.python-version', `${b}\n`);
    // The import cache belongs to one interpreter: the other one reads every file's imports again.
    const scanned = async (): Promise<number | undefined> =>
      (await runJson<{ deps: { python?: { scanned: number } } }>(['scan'], { cwd: sb.tree, env: baseEnv() })).json.deps
        .python?.scanned;
    expect(await scanned()).toBe(PY_COUNT);
    expect(await scanned()).toBe(0);
    const text = await runRunner(['explain', 'calc/ops.py'], { cwd: sb.tree, env: baseEnv() });
    expect(text.stdout, show(text)).toContain(
      `tool program changed: ${layout.root}/versions/${a}/bin/python3 -> ${layout.root}/versions/${b}/bin/python3`,
    );
    expect(await probeRun(sb), `after switching ${a} -> ${b}`).toHaveLength(PY_COUNT);
    if (layout.real) expect(versionsSeen(sb)).toEqual([b]);
    expect(await probeRun(sb), 'a no-op').toEqual([]);

    // Back to the first: its results are kept by fingerprint, so nothing runs and explain says fresh.
    writeText(sb, '.python-version', `${a}\n`);
    expect(await probeRun(sb), `back to ${a}`).toEqual([]);
    const { json } = await runJson<ExplainJson>(['explain', 'calc/ops.py'], { cwd: sb.tree, env: baseEnv() });
    expect(json.tools.map((t) => t.state)).toEqual(['fresh']);
  });
});
