// A tool's own controls with real processes (issue 14, point 6): `serial` and
// `jobs` under runner's own tokens and under make's jobserver, read from the
// order of a probe's log (limit-probe.mjs), and a tool's own `env`, latched
// for that tool alone.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { BIN, type ExplainJson, type RunResult, baseEnv, runJson, runRunner, show } from '../helpers/cli.js';
import { checked, gitOk, gitTestEnv, useRepo } from '../helpers/git.js';
import { spawnCollect } from '../helpers/jobserver.js';
import {
  LIMIT_PROBE_SCRIPT,
  PROBE_SCRIPT,
  type ProcessLine,
  peakAlive,
  readProbeLog,
  readProcessLog,
  resetProbeLog,
} from '../helpers/probe.js';
import { type Sandbox, readConfig, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

const NODE = process.execPath;
const probe = (tool: string, mark: '{file}' | '{files}'): string[] => [NODE, LIMIT_PROBE_SCRIPT, tool, mark];

/**
 * Three tools over files of their own: "serial", a batch tool cut into 3
 * chunks (maxFiles 2) whose processes each wait for the next to start;
 * "two", a one-file tool of 5 jobs with jobs 2 whose processes first meet a
 * second one, then wait for two more; "free", a batch tool with no limit
 * (4 chunks, one per token) whose processes meet a second one. The waits are
 * each tool's own env.
 */
function limitTree(): Sandbox {
  const sb = useFixture('js-demo');
  fs.rmSync(path.join(sb.tree, 'src'), { recursive: true, force: true });
  fs.rmSync(path.join(sb.tree, 'test'), { recursive: true, force: true });
  for (let i = 1; i <= 6; i++) writeText(sb, `s/${i}.txt`, `s ${i}\n`);
  for (let i = 1; i <= 5; i++) writeText(sb, `j/${i}.txt`, `j ${i}\n`);
  for (let i = 1; i <= 8; i++) writeText(sb, `f/${i}.txt`, `f ${i}\n`);
  writeConfig(sb, {
    include: ['s/**', 'j/**', 'f/**'],
    env: { PROBE_DIR: sb.scratch },
    tools: [
      {
        name: 'serial',
        command: probe('serial', '{files}'),
        include: ['s/**'],
        maxFiles: 2,
        serial: true,
        env: { PROBE_TOTAL: '3', PROBE_HOLD: '1' },
      },
      {
        name: 'two',
        command: probe('two', '{file}'),
        include: ['j/**'],
        jobs: 2,
        env: { PROBE_TOTAL: '5', PROBE_MEET: '2', PROBE_HOLD: '2' },
      },
      {
        name: 'free',
        command: probe('free', '{files}'),
        include: ['f/**'],
        env: { PROBE_TOTAL: '4', PROBE_MEET: '2' },
      },
    ],
  });
  return sb;
}

function info(res: RunResult, lines: readonly ProcessLine[]): string {
  return `${show(res)}\n--- processes\n${lines.map((l) => `${l.what} ${l.tool} ${l.pid}`).join('\n')}`;
}

/** What every run of limitTree() must show, whoever gives the tokens: 4 of them. */
function expectLimitsKept(res: RunResult, lines: readonly ProcessLine[]): void {
  const msg = info(res, lines);
  expect(res.code, msg).toBe(0);
  const starts = (tool: string): number => lines.filter((l) => l.tool === tool && l.what === 'start').length;
  expect([starts('serial'), starts('two'), starts('free')], msg).toEqual([3, 5, 4]);
  // Every process ended: none left behind.
  expect(
    lines.filter((l) => l.what === 'end'),
    msg,
  ).toHaveLength(12);
  expect(peakAlive(lines, ['serial']), msg).toBe(1);
  // The limit, reached: two met, and no third ever joined them.
  expect(peakAlive(lines, ['two']), msg).toBe(2);
  // The tokens allowed more than the limits: a tool without one ran side by side.
  expect(peakAlive(lines, ['free']), msg).toBeGreaterThanOrEqual(2);
  expect(peakAlive(lines), msg).toBeLessThanOrEqual(4);
}

describe('serial and jobs with real processes', () => {
  test('issue 14: under -j 4, a serial tool never runs two processes at once and a jobs:2 tool never three', async () => {
    const sb = limitTree();
    const res = await runRunner(['run', '-q', '-j', '4'], { cwd: sb.tree, env: baseEnv() });
    expectLimitsKept(res, readProcessLog(sb));
  });

  test("issue 14: under make -j4 (a + recipe, make's jobserver), the same limits hold and runner runs at most 4", async () => {
    const sb = limitTree();
    fs.writeFileSync(path.join(sb.scratch, 'Makefile'), `.PHONY: all\nall:\n\t+${NODE} ${BIN} -C ${sb.tree} run -q\n`);
    const res = await spawnCollect('make', ['-j4'], { cwd: sb.scratch, env: baseEnv() });
    expect(res.stderr, show(res)).not.toMatch(/ignoring jobserver/);
    expectLimitsKept(res, readProcessLog(sb));
  });
});

test("issue 14: a serial batch tool's failed chunk is narrowed in its place: still one process at a time", async () => {
  const sb = useFixture('js-demo');
  fs.rmSync(path.join(sb.tree, 'src'), { recursive: true, force: true });
  fs.rmSync(path.join(sb.tree, 'test'), { recursive: true, force: true });
  for (let i = 1; i <= 4; i++) writeText(sb, `s/${i}.txt`, i === 3 ? 'PROBE_FAIL\n' : `s ${i}\n`);
  for (let i = 1; i <= 4; i++) writeText(sb, `f/${i}.txt`, `f ${i}\n`);
  writeConfig(sb, {
    include: ['s/**', 'f/**'],
    env: { PROBE_DIR: sb.scratch },
    tools: [
      // One chunk (serial), then the three narrowing it (1 2; 3; 4): 4 processes, each waiting for the next.
      {
        name: 'serial',
        command: probe('serial', '{files}'),
        include: ['s/**'],
        serial: true,
        env: { PROBE_TOTAL: '4', PROBE_HOLD: '1', PROBE_HOLD_MS: '800' },
      },
      {
        name: 'free',
        command: probe('free', '{files}'),
        include: ['f/**'],
        env: { PROBE_TOTAL: '4', PROBE_MEET: '2' },
      },
    ],
  });
  const { res, json } = await runJson(['run', '-j', '4'], { cwd: sb.tree, env: baseEnv() });
  const lines = readProcessLog(sb);
  const msg = info(res, lines);
  expect(res.code, msg).toBe(1);
  expect(
    lines.filter((l) => l.tool === 'serial' && l.what === 'start'),
    msg,
  ).toHaveLength(4);
  expect(peakAlive(lines, ['serial']), msg).toBe(1);
  expect(peakAlive(lines, ['free']), msg).toBeGreaterThanOrEqual(2);
  const failed = json.jobs.filter((j) => j.status !== 'passed').map((j) => `${j.tool} ${j.file} ${j.status}`);
  expect(failed, msg).toEqual(['serial s/3.txt failed']);
});

describe("a tool's own env", () => {
  /** Two probe tools (slow-tool.mjs), each over files of its own; "b" has an env of its own. */
  function envTree(mode: string): Sandbox {
    const sb = useFixture('js-demo');
    fs.rmSync(path.join(sb.tree, 'src'), { recursive: true, force: true });
    fs.rmSync(path.join(sb.tree, 'test'), { recursive: true, force: true });
    for (const d of ['a', 'b']) for (let i = 1; i <= 2; i++) writeText(sb, `${d}/${i}.txt`, `${d} ${i}\n`);
    writeEnvConfig(sb, mode);
    return sb;
  }
  function writeEnvConfig(sb: Sandbox, mode: string, top: Record<string, string> = {}): void {
    writeConfig(sb, {
      include: ['a/**', 'b/**'],
      env: { PROBE_DIR: sb.scratch, ...top },
      tools: [
        { name: 'a', command: [NODE, PROBE_SCRIPT, '{file}'], include: ['a/**'] },
        { name: 'b', command: [NODE, PROBE_SCRIPT, '{file}'], include: ['b/**'], env: { MODE: mode } },
      ],
    });
  }

  test("issue 14: changing one tool's env re-runs that tool's jobs only, and explain names the variable as for the top-level env", async () => {
    const sb = envTree('one');
    const first = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(first.code, show(first)).toBe(0);
    expect(readProbeLog(sb).started.sort()).toEqual(['a/1.txt', 'a/2.txt', 'b/1.txt', 'b/2.txt']);
    const envSeen = JSON.parse(fs.readFileSync(path.join(sb.scratch, 'env', 'b__1.txt.json'), 'utf8')) as Record<
      string,
      string
    >;
    expect(envSeen.MODE).toBe('one');
    expect(JSON.parse(fs.readFileSync(path.join(sb.scratch, 'env', 'a__1.txt.json'), 'utf8'))).not.toHaveProperty(
      'MODE',
    );

    resetProbeLog(sb);
    writeEnvConfig(sb, 'two');
    const second = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(second.code, show(second)).toBe(0);
    expect(readProbeLog(sb).started.sort()).toEqual(['b/1.txt', 'b/2.txt']);

    // explain says it as it says a top-level env change: the same reason, the same words.
    writeEnvConfig(sb, 'three');
    const tool = await runRunner(['explain', 'b/1.txt'], { cwd: sb.tree, env: baseEnv() });
    expect(tool.stdout, show(tool)).toContain('env MODE changed: was "two", now "three"');
    const { json } = await runJson<ExplainJson>(['explain', 'a/1.txt'], { cwd: sb.tree, env: baseEnv() });
    expect(json.tools.find((t) => t.tool === 'a')?.state, JSON.stringify(json)).toBe('fresh');

    writeEnvConfig(sb, 'two', { TOP: 'x' });
    const top = await runRunner(['explain', 'a/1.txt'], { cwd: sb.tree, env: baseEnv() });
    expect(top.stdout, show(top)).toContain('env TOP changed: was not given to tools, now "x"');
  });
});

test("issue 14: run --staged gives a tool its own env, and run reuses the staged run's result", async () => {
  const sb = useRepo();
  // The check tool finds where to log only in its own env.
  const config = readConfig(sb);
  const { COUNT_FILE, ...top } = config.env ?? {};
  config.env = top;
  config.tools[0]!.env = { COUNT_FILE: COUNT_FILE! };
  writeConfig(sb, config);
  gitOk(sb.tree, ['commit', '-q', '-am', 'check logs through its own env']);
  fs.writeFileSync(path.join(sb.tree, 'notes/a.txt'), 'edited\n');
  gitOk(sb.tree, ['add', 'notes/a.txt']);
  const env = gitTestEnv();
  const staged = await runRunner(['run', '--staged', '--tool', 'check'], { cwd: sb.tree, env });
  expect(staged.code, show(staged)).toBe(0);
  expect(checked(sb)).toEqual(['notes/a.txt']);
  const { res, json } = await runJson(['run', '--tool', 'check'], { cwd: sb.tree, env });
  expect(res.code, show(res)).toBe(0);
  // The staged run's result holds for the same content: only the files never checked run.
  expect(json.jobs.map((j) => j.file)).not.toContain('notes/a.txt');
  expect(checked(sb)[0]).toBe('notes/a.txt');
  expect(checked(sb).filter((f) => f === 'notes/a.txt')).toHaveLength(1);
});

describe('bad per-tool controls stop runner with exit 2', () => {
  test.each([
    [{ serial: true, jobs: 2 }, 'tools[0].jobs is 2; expected either "serial": true or "jobs", not both'],
    [{ jobs: 0 }, 'tools[0].jobs is 0; expected a whole number from 1 to 4194304'],
    [{ serial: 1 }, 'tools[0].serial is 1; expected true or false'],
    [{ env: { 'BAD-NAME': 'x' } }, 'tools[0].env.BAD-NAME is "BAD-NAME"; expected a variable name'],
  ])('issue 14: %j', async (extra, message) => {
    const sb = useFixture('js-demo');
    writeConfig(sb, { tools: [{ name: 'lint', command: ['true', '{file}'], ...extra }] });
    const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toContain(`runner: error: .runnerrc.json: ${message}`);
    expect(res.stderr.split('\n').filter(Boolean), show(res)).toHaveLength(1);
  });
});
