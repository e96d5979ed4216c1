// runner run --trace FILE (issue 17, point 6): the run as a Chrome trace that
// Perfetto opens, checked against the Trace Event Format for runs under real
// GNU make, alone, with a batch tool, interrupted, and a path it cannot write.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { BIN, baseEnv, runRunner, show, startRunner } from '../helpers/cli.js';
import { readSpans, spanTree, spawnCollect } from '../helpers/jobserver.js';
import { LOGGED_PY_COMPILE } from '../helpers/batch-probe.js';
import { probeOnly, readProbeLog, setProbeControl } from '../helpers/probe.js';
import {
  beforeSandboxRemoval,
  isProcessAlive,
  useFixture,
  waitFor,
  writeConfig,
  writeText,
} from '../helpers/sandbox.js';
import { type TraceJson, laneNames, readTrace, spansOf, traceProblems } from '../helpers/trace.js';

const NODE = process.execPath;

/** The phases of runner's own work every run that scans draws on its lane. */
function phasesOf(trace: TraceJson): string[] {
  return [...new Set(spansOf(trace, 'runner').map((e) => e.name))].sort();
}

test('issue 17: under make -j3 (a + recipe) the trace holds one span per job on at most 3 slot lanes, never overlapping, and the waits for tokens', async () => {
  const { sb, log } = spanTree(6);
  const file = path.join(sb.scratch, 't.json');
  fs.writeFileSync(
    path.join(sb.scratch, 'Makefile'),
    `.PHONY: all\nall:\n\t+${NODE} ${BIN} -C ${sb.tree} run -q --trace ${file}\n`,
  );
  const res = await spawnCollect('make', ['-j3'], { cwd: sb.scratch, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(readSpans(log)).toHaveLength(6);
  const trace = readTrace(file);
  expect(traceProblems(trace)).toEqual([]);
  const jobs = spansOf(trace, 'job');
  expect(jobs.map((j) => j.name).sort()).toEqual([1, 2, 3, 4, 5, 6].map((i) => `span jobs/a${i}.txt`));
  for (const j of jobs) expect(j.args).toMatchObject({ tool: 'span', status: 'passed', exit: 0, ran: true });
  // One lane per token held at once: make -j3 lends runner two tokens beside its implicit one.
  const lanes = laneNames(trace);
  const slotLanes = new Set(jobs.map((j) => lanes.get(j.tid)));
  expect(
    [...slotLanes].every((n) => n !== undefined && /^slot [123]$/.test(n)),
    [...slotLanes].join(),
  ).toBe(true);
  expect(phasesOf(trace)).toEqual(['deps', 'plan', 'save', 'scan']);
  // Six jobs, three tokens: some ask for a token waited until a running job had ended and given its token back.
  const waits = spansOf(trace, 'token');
  expect(waits.length).toBeGreaterThanOrEqual(6);
  const waitedForJob = waits.some((w) => jobs.some((j) => w.ts! < j.ts! + j.dur! && j.ts! + j.dur! <= w.ts! + w.dur!));
  expect(waitedForJob, JSON.stringify(waits)).toBe(true);
  expect(new Set(waits.map((w) => lanes.get(w.tid)))).toEqual(new Set(['token waits']));
});

test('issue 17: a run alone writes its trace (a directory made for it), failures included, and a no-op run still draws its scan and plan', async () => {
  const { sb } = spanTree(3, { env: { SPAN_FAIL_ON: 'jobs/a2.txt', SPAN_MS: '50' } });
  const file = path.join(sb.scratch, 'out', 'trace.json');
  const res = await runRunner(['run', '-j', '2', '--trace', file], { cwd: sb.tree });
  expect(res.code, show(res)).toBe(1);
  expect(res.stdout).toContain(`runner: trace written to ${file} (open it in https://ui.perfetto.dev)\n`);
  const trace = readTrace(file);
  expect(traceProblems(trace)).toEqual([]);
  const byName = new Map(spansOf(trace, 'job').map((j) => [j.name, j.args]));
  expect([...byName.keys()].sort()).toEqual(['span jobs/a1.txt', 'span jobs/a2.txt', 'span jobs/a3.txt']);
  expect(byName.get('span jobs/a2.txt')).toMatchObject({ status: 'failed', exit: 1 });
  expect(byName.get('span jobs/a1.txt')).toMatchObject({ status: 'passed', exit: 0 });

  fs.rmSync(file);
  // Nothing changed: the one failure is reported from its stored result, nothing runs.
  const again = await runRunner(['run', '--trace', file], { cwd: sb.tree });
  expect(again.code, show(again)).toBe(1);
  const noop = readTrace(file);
  expect(traceProblems(noop)).toEqual([]);
  expect(spansOf(noop, 'job')).toEqual([]);
  expect(phasesOf(noop)).toEqual(['deps', 'plan', 'save', 'scan']);
  expect(noop.traceEvents.filter((e) => e.ph === 'i').map((e) => e.name)).toContain('cached failure: span jobs/a2.txt');
});

test("issue 17: a batch tool's chunks are spans with their file counts and files, and the processes narrowing a failed one too", async () => {
  const sb = useFixture('python-demo');
  for (let i = 1; i <= 6; i++) writeText(sb, `pkg/m${i}.py`, i === 2 ? 'def broken(:\n' : `X = ${i}\n`);
  writeConfig(sb, {
    include: ['pkg/**/*.py'],
    env: { PROBE_DIR: sb.scratch },
    tools: [{ name: 'compile', command: LOGGED_PY_COMPILE }],
  });
  const file = path.join(sb.scratch, 't.json');
  const res = await runRunner(['run', '-j', '2', '--trace', file], { cwd: sb.tree });
  expect(res.code, show(res)).toBe(1);
  const trace = readTrace(file);
  expect(traceProblems(trace)).toEqual([]);
  const chunks = spansOf(trace, 'chunk');
  expect(chunks.map((c) => c.name).sort()).toEqual(['compile compile#1 (3 files)', 'compile compile#2 (3 files)']);
  const first = chunks.find((c) => c.args?.chunk === 'compile#1')!;
  expect(first.args).toMatchObject({
    tool: 'compile',
    exit: 1,
    narrowing: null,
    files: ['pkg/m1.py', 'pkg/m2.py', 'pkg/m3.py'],
    narrowingGoesOn: true,
  });
  expect(chunks.find((c) => c.args?.chunk === 'compile#2')!.args).toMatchObject({ exit: 0, results: { passed: 3 } });
  // The failed chunk is narrowed: each process doing it has its span, named by the chunk it narrows.
  const narrowing = spansOf(trace, 'narrowing');
  expect(narrowing.length).toBeGreaterThan(0);
  for (const n of narrowing) expect(n.args).toMatchObject({ tool: 'compile', narrowing: 'compile#1' });
  const judged = narrowing.flatMap((n) => Object.entries((n.args?.results ?? {}) as Record<string, number>));
  expect(judged.filter(([status]) => status === 'failed').reduce((sum, [, k]) => sum + k, 0)).toBe(1);
});

test('issue 17: SIGINT mid-job still leaves a valid trace: the finished jobs, the interrupted one, and the interrupt', async () => {
  const sb = useFixture('python-demo');
  probeOnly(sb);
  setProbeControl(sb, 'hang-after', '1');
  const file = path.join(sb.scratch, 't.json');
  const running = startRunner(['run', '-j', '1', '--trace', file], { cwd: sb.tree, env: baseEnv() });
  const atSignal = await waitFor('the second job to start', () => {
    const log = readProbeLog(sb);
    return log.started.length > 1 ? log : undefined;
  });
  const hung = atSignal.started[1]!;
  const hungPid = atSignal.pids.get(hung)!;
  beforeSandboxRemoval(() => {
    if (isProcessAlive(hungPid)) process.kill(hungPid, 'SIGKILL');
  });
  running.child.kill('SIGINT');
  const res = await running.result;
  expect(res.code, show(res)).toBe(130);
  const trace = readTrace(file);
  expect(traceProblems(trace)).toEqual([]);
  const jobs = new Map(spansOf(trace, 'job').map((j) => [j.name, j.args]));
  expect(jobs.get(`probe ${atSignal.finished[0]}`)).toMatchObject({ status: 'passed', exit: 0 });
  expect(jobs.get(`probe ${hung}`)).toMatchObject({ status: 'interrupted', interrupted: true });
  expect(jobs.size).toBe(2);
  expect(trace.traceEvents.map((e) => e.name)).toContain('interrupted (SIGINT)');
});

test('issue 17: a --trace path that cannot be written stops the run with exit 2 before anything runs', async () => {
  const { sb, log } = spanTree(2);
  const notDir = path.join(sb.scratch, 'plain');
  fs.writeFileSync(notDir, '');
  const cases: [string, string][] = [
    [
      sb.scratch,
      `runner: error: --trace ${sb.scratch}: is a directory; expected a file path in a writable directory\n`,
    ],
    [
      path.join(notDir, 't.json'),
      `runner: error: --trace ${path.join(notDir, 't.json')}: ${notDir} is not a directory; expected a file path in a writable directory\n`,
    ],
  ];
  for (const [file, said] of cases) {
    const res = await runRunner(['run', '--trace', file], { cwd: sb.tree });
    expect(res.code, show(res)).toBe(2);
    expect(res.stderr).toBe(said);
  }
  expect(fs.existsSync(log)).toBe(false);
  expect(fs.existsSync(path.join(sb.tree, '.runner'))).toBe(false);
});
