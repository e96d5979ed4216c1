// Config discovery from a subdirectory (issue 15, point 7): the config is
// searched upward from where runner starts (or -C DIR), up to the repository
// root; the source tree is the config's directory; FILE arguments are
// relative to where runner starts (or to -C DIR). Each test runs the real
// bin/runner in a real git repository made from the python-demo fixture and
// counts, with the probe, which jobs really ran.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  type ExplainJson,
  type RunningRunner,
  type ScanCommandJson,
  baseEnv,
  jobKeys,
  runJson,
  runRunner,
  show,
  startRunner,
} from '../helpers/cli.js';
import { gitOk, gitTestEnv, initRepo, useRepo } from '../helpers/git.js';
import { probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { PY_FILES } from '../helpers/python-demo.js';
import { type Sandbox, appendText, useFixture } from '../helpers/sandbox.js';
import { waitForCycle } from '../helpers/watch-cycles.js';

const env = baseEnv({ GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' });

/** python-demo with the probe as its only tool, made a git repository (no commit: runner never asks git here). */
function repoTree(): Sandbox {
  const sb = useFixture('python-demo');
  probeOnly(sb);
  initRepo(sb.tree);
  return sb;
}

const ALL_PROBED = PY_FILES.map((f) => `probe ${f}`).sort();
const started = (sb: Sandbox): string[] => readProbeLog(sb).started.sort();

const CONFIG_NAMES =
  '.runnerrc (or .runnerrc.json, .yaml, .yml, .js, .cjs, .mjs), runner.config.js (.cjs, .mjs, .ts) or "runner" in package.json ' +
  '(`runner config --dump` prints a template; -c FILE names one)';

describe('issue 15: the config is found from a subdirectory', () => {
  test('run in a subdirectory finds the config above and runs the same jobs as from the root; the root then finds them fresh', async () => {
    const sb = repoTree();
    const calc = path.join(sb.tree, 'calc');
    const { res, json } = await runJson(['run'], { cwd: calc, env });
    expect(res.code, show(res)).toBe(0);
    expect(jobKeys(json.jobs)).toEqual(ALL_PROBED);
    expect(started(sb)).toEqual([...PY_FILES].sort());
    // One state directory, the source tree's: none in the subdirectory.
    expect(fs.existsSync(path.join(sb.tree, '.runner', 'manifest.db'))).toBe(true);
    expect(fs.existsSync(path.join(calc, '.runner'))).toBe(false);

    resetProbeLog(sb);
    const again = await runJson(['run'], { cwd: sb.tree, env });
    expect(again.res.code, show(again.res)).toBe(0);
    expect(again.json.counts.fresh).toBe(PY_FILES.length);
    expect(again.json.counts.ran).toBe(0);
    expect(started(sb)).toEqual([]);

    // And back in a deeper directory, after an edit: only that file's job, from the same state.
    fs.mkdirSync(path.join(calc, 'deep'));
    appendText(sb, 'calc/ops.py', '\n# edited\n');
    const deep = await runJson(['run'], { cwd: path.join(calc, 'deep'), env });
    expect(jobKeys(deep.json.jobs), show(deep.res)).toEqual(['probe calc/ops.py']);
    expect(deep.json.counts.fresh).toBe(PY_FILES.length - 1);
  });

  test('FILE arguments from a subdirectory are relative to it, and jobs keep their tree paths', async () => {
    const sb = repoTree();
    const calc = path.join(sb.tree, 'calc');
    const one = await runJson(['run', 'ops.py'], { cwd: calc, env });
    expect(one.res.code, show(one.res)).toBe(0);
    expect(jobKeys(one.json.jobs)).toEqual(['probe calc/ops.py']);
    expect(started(sb)).toEqual(['calc/ops.py']);

    resetProbeLog(sb);
    const here = await runJson(['run', '.', '../tests/test_ops.py'], { cwd: calc, env });
    expect(here.res.code, show(here.res)).toBe(0);
    expect(started(sb)).toEqual(['calc/__init__.py', 'calc/stats.py', 'tests/test_ops.py']);

    const explained = await runJson<ExplainJson>(['explain', 'stats.py'], { cwd: calc, env });
    expect(explained.res.code, show(explained.res)).toBe(0);
    expect(explained.json.file).toBe('calc/stats.py');
    expect(explained.json.tools.map((t) => t.state)).toEqual(['fresh']);

    const deps = await runRunner(['deps', 'ops.py'], { cwd: calc, env });
    expect(deps.code, show(deps)).toBe(0);
    expect(deps.stdout).toContain('calc/ops.py');
  });

  test("with -C DIR, FILE arguments are relative to DIR, and DIR may be below the config; the framework's stay the cwd's", async () => {
    const sb = repoTree();
    const { res, json } = await runJson(['-C', 'tree', 'run', 'calc/ops.py'], { cwd: sb.root, env });
    expect(res.code, show(res)).toBe(0);
    expect(jobKeys(json.jobs)).toEqual(['probe calc/ops.py']);

    resetProbeLog(sb);
    const below = await runJson(['run', '-C', 'tree/calc', 'stats.py'], { cwd: sb.root, env });
    expect(below.res.code, show(below.res)).toBe(0);
    expect(jobKeys(below.json.jobs)).toEqual(['probe calc/stats.py']);
    expect(started(sb)).toEqual(['calc/stats.py']);
    expect(fs.existsSync(path.join(sb.tree, 'calc', '.runner'))).toBe(false);

    // The pre-commit framework's files (`args: [-C, DIR]` comes after its entry) stay relative to where it runs hooks.
    appendText(sb, 'calc/ops.py', '\n# edited\n');
    const framework = await runJson(['run', '--framework', '-C', 'calc', 'calc/ops.py'], { cwd: sb.tree, env });
    expect(framework.res.code, show(framework.res)).toBe(0);
    expect(jobKeys(framework.json.jobs)).toEqual(['probe calc/ops.py']);
  });

  test('scan, config, clean and watch from a subdirectory work on the tree and state directory above', async () => {
    const sb = repoTree();
    const tests = path.join(sb.tree, 'tests');
    const scanned = await runJson<ScanCommandJson>(['scan'], { cwd: tests, env });
    expect(scanned.res.code, show(scanned.res)).toBe(0);
    expect(jobKeys(scanned.json.staleJobs)).toEqual(ALL_PROBED);

    const config = await runJson<{ file: string; sourceTree: string; stateDir: string }>(['config'], {
      cwd: tests,
      env,
    });
    expect(config.res.code, show(config.res)).toBe(0);
    expect(config.json.file).toBe(path.join(sb.tree, '.runnerrc.json'));
    expect(config.json.sourceTree).toBe(sb.tree);
    expect(config.json.stateDir).toBe(path.join(sb.tree, '.runner'));

    const w: RunningRunner = startRunner(['watch', '--json', '--debounce', '100'], { cwd: tests, env });
    const first = await waitForCycle<{ cycle: number; jobs: { tool: string; file: string }[] }>(w, 1, 30_000);
    expect(jobKeys(first.jobs)).toEqual(ALL_PROBED);
    appendText(sb, 'calc/ops.py', '\n# edited\n');
    const second = await waitForCycle<{ cycle: number; jobs: { tool: string; file: string }[] }>(w, 2, 30_000);
    expect(jobKeys(second.jobs)).toEqual(['probe calc/ops.py']);
    w.child.kill('SIGINT');
    const stopped = await w.result;
    expect(stopped.code, show(stopped)).toBe(130);
    expect(fs.existsSync(path.join(tests, '.runner'))).toBe(false);

    const cleaned = await runRunner(['clean'], { cwd: tests, env });
    expect(cleaned.code, show(cleaned)).toBe(0);
    expect(fs.existsSync(path.join(sb.tree, '.runner'))).toBe(false);
  });
});

test('issue 15: run --staged from a subdirectory checks what is staged in the source tree above', async () => {
  const sb = useRepo();
  fs.writeFileSync(path.join(sb.tree, 'notes', 'a.txt'), 'BAD\n');
  gitOk(sb.tree, ['add', 'notes/a.txt']);
  const { res, json } = await runJson(['run', '--staged'], { cwd: path.join(sb.tree, 'notes'), env: gitTestEnv() });
  expect(res.code, show(res)).toBe(1);
  expect(jobKeys(json.jobs)).toEqual(['check notes/a.txt']);
  expect(fs.existsSync(path.join(sb.tree, 'notes', '.runner'))).toBe(false);
});

describe('issue 15: where the search stops', () => {
  test('at the repository root: a config above it is not used, and the error names both ends', async () => {
    const sb = repoTree();
    const lib = path.join(sb.tree, 'vendor', 'lib');
    fs.mkdirSync(path.join(lib, 'src'), { recursive: true });
    fs.writeFileSync(path.join(lib, 'src', 'mod.py'), 'X = 1\n');
    initRepo(lib);
    const res = await runRunner(['run'], { cwd: path.join(lib, 'src'), env });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toBe(
      'runner: error: .: config is missing; expected a runner config there or in a directory above it, ' +
        `up to the repository root ${lib} (the first directory holding .git): ${CONFIG_NAMES}\n`,
    );
    expect(readProbeLog(sb).started).toEqual([]);
    expect(fs.existsSync(path.join(sb.tree, '.runner'))).toBe(false);
    expect(fs.existsSync(path.join(lib, '.runner'))).toBe(false);
  });

  test('a .git file (a submodule or linked work tree) marks the repository root too', async () => {
    const sb = repoTree();
    const sub = path.join(sb.tree, 'modules', 'inner');
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, '.git'), 'gitdir: ../../.git/modules/inner\n');
    const res = await runRunner(['run'], { cwd: sub, env });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toBe(
      'runner: error: .: config is missing; expected a runner config there, the repository root ' +
        `(it holds .git; the search goes no higher): ${CONFIG_NAMES}\n`,
    );
  });

  test('outside any git repository, up to the filesystem root: the error says so', async () => {
    const sb = useFixture('python-demo');
    const res = await runRunner(['run'], { cwd: sb.scratch, env });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toBe(
      'runner: error: .: config is missing; expected a runner config there or in a directory above it, ' +
        `up to the filesystem root (no .git above it: not in a git repository): ${CONFIG_NAMES}\n`,
    );
    // Found from a subdirectory of a tree git does not hold, too.
    probeOnly(sb);
    const found = await runJson(['run', 'ops.py'], { cwd: path.join(sb.tree, 'calc'), env });
    expect(found.res.code, show(found.res)).toBe(0);
    expect(jobKeys(found.json.jobs)).toEqual(['probe calc/ops.py']);
  });
});
