// A cold run starts its jobs before its tools are latched (issue 14 point 7,
// issue 17 point 4): while the version manager behind a shim is still asked,
// with each result recorded under the program the manager names. A
// self-made pyenv-like manager (test/helpers/shims.ts) answers `which` only
// once a file appears, so the tests can tell what ran before its answer.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { BATCH_PROBE_SCRIPT, batchProcesses, openGate, resetBatchProbe } from '../helpers/batch-probe.js';
import { baseEnv, runJson, runRunner, show, startRunner } from '../helpers/cli.js';
import { type Sandbox, appendText, useFixture, waitFor, writeConfig, writeText } from '../helpers/sandbox.js';
import { type ShimLayout, selfMadePyenv } from '../helpers/shims.js';

/**
 * A manager whose `which` waits (at most 20 s) until `waitFor` exists, then notes in manager.log whether a
 * job of the run had started by then (the batch probe's log exists), and answers as pyenv would.
 */
function slowManager(sb: Sandbox, layout: ShimLayout, waitFor: string): void {
  const manager = path.join(layout.root, 'libexec', 'pyenv');
  const real = path.join(layout.root, 'libexec', 'pyenv-real');
  fs.renameSync(manager, real);
  const log = path.join(sb.scratch, 'manager.log');
  const probeLog = path.join(sb.scratch, 'batch-probe.log');
  fs.writeFileSync(
    manager,
    [
      '#!/bin/sh',
      'if [ "$1" = which ]; then',
      '  i=0',
      `  while [ ! -e '${waitFor}' ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done`,
      `  if [ -e '${probeLog}' ]; then echo 'answered after a job started' >> '${log}';`,
      `  else echo 'answered before any job started' >> '${log}'; fi`,
      'fi',
      `exec '${real}' "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
}

/** python-demo's files, one batch tool (the probe) run by python3 through the shims of `layout`. */
function coldThroughShims(sb: Sandbox, layout: ShimLayout): void {
  writeText(sb, '.python-version', `${layout.versions[0]}\n`);
  writeConfig(sb, {
    include: ['**/*.py'],
    env: { PATH: [layout.shims, '/usr/bin', '/bin'].join(':'), PROBE_DIR: sb.scratch },
    passEnv: [],
    tools: [{ name: 'batch', command: ['python3', BATCH_PROBE_SCRIPT, '{files}'] }],
  });
}

function managerSaid(sb: Sandbox): string[] {
  const file = path.join(sb.scratch, 'manager.log');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
}

test('issue 14: a cold run starts its jobs while the version manager is still asked, and records them under the program it names', async () => {
  const sb = useFixture('python-demo');
  const layout = selfMadePyenv(sb);
  slowManager(sb, layout, path.join(sb.scratch, 'batch-probe.log'));
  coldThroughShims(sb, layout);

  const cold = await runRunner(['run', '-j', '2'], { cwd: sb.tree, env: baseEnv() });
  expect(cold.code, show(cold)).toBe(0);
  expect(managerSaid(sb)).toEqual(['answered after a job started']);
  const files = batchProcesses(sb).flatMap((p) => p.files);
  expect(files.length).toBeGreaterThan(0);

  // Recorded under the real latch: the next run has nothing to do, and asks no manager.
  resetBatchProbe(sb);
  const noop = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(noop.json.counts.ran, show(noop.res)).toBe(0);
  expect(noop.json.counts.fresh).toBe(files.length);
  expect(batchProcesses(sb)).toEqual([]);
  expect(managerSaid(sb)).toHaveLength(1);
});

test('issue 17: a cold run starts its first process before the scan is saved; a run with results goes stage by stage', async () => {
  const sb = useFixture('python-demo');
  const layout = selfMadePyenv(sb);
  coldThroughShims(sb, layout);
  interface Span {
    name: string;
    cat: string;
    ph: string;
    ts: number;
    dur?: number;
  }
  const traced = async (): Promise<{ firstChunk: Span; firstSave: Span; plan: Span }> => {
    const file = path.join(sb.scratch, 'trace.json');
    const res = await runRunner(['run', '-j', '1', '--trace', file], { cwd: sb.tree, env: baseEnv() });
    expect(res.code, show(res)).toBe(0);
    const events = (JSON.parse(fs.readFileSync(file, 'utf8')) as { traceEvents: Span[] }).traceEvents;
    const spans = events.filter((e) => e.ph === 'X').sort((a, b) => a.ts - b.ts);
    return {
      firstChunk: spans.find((e) => e.cat === 'chunk')!,
      firstSave: spans.find((e) => e.name === 'save')!,
      plan: spans.find((e) => e.name === 'plan')!,
    };
  };
  const cold = await traced();
  expect(cold.firstChunk.ts, 'the cold run').toBeLessThan(cold.firstSave.ts);

  // A new state for the manager's answer would be asked again; this one keeps it: one changed file, planned first.
  appendText(sb, 'calc/ops.py', '# changed\n');
  const warm = await traced();
  expect(warm.firstChunk.ts, 'a run with results').toBeGreaterThanOrEqual(warm.plan.ts + (warm.plan.dur ?? 0));
});

test('issue 14: a file edited while its job runs on a cold state runs again next time', async () => {
  const sb = useFixture('python-demo');
  const layout = selfMadePyenv(sb);
  slowManager(sb, layout, path.join(sb.scratch, 'batch-probe.log'));
  coldThroughShims(sb, layout);
  writeText(sb, 'calc/held.py', '# PROBE_WAIT=go\n');

  // One chunk (-j 1) holding every file, held open until the gate opens.
  const run = startRunner(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  await waitFor('the chunk to start', () => batchProcesses(sb).length === 1);
  appendText(sb, 'calc/ops.py', 'EDITED = True\n');
  openGate(sb, 'go');
  const cold = await run.result;
  expect(cold.code, show(cold)).toBe(0);
  expect(batchProcesses(sb)[0]!.files).toContain('calc/ops.py');

  resetBatchProbe(sb);
  const next = await runRunner(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(next.code, show(next)).toBe(0);
  expect(batchProcesses(sb).map((p) => p.files)).toEqual([['calc/ops.py']]);
});

test('issue 14: Ctrl-C while a cold run runs jobs ahead of its plan exits 130, and they all run again next time', async () => {
  const sb = useFixture('python-demo');
  const layout = selfMadePyenv(sb);
  const answer = path.join(sb.scratch, 'answer');
  slowManager(sb, layout, answer);
  coldThroughShims(sb, layout);
  writeText(sb, 'calc/held.py', '# PROBE_WAIT=never\n');

  const run = startRunner(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  await waitFor('the chunk to start before the answer', () => batchProcesses(sb).length === 1);
  const started = batchProcesses(sb)[0]!.files;
  run.child.kill('SIGINT');
  fs.writeFileSync(answer, '');
  const res = await run.result;
  expect(res.code, show(res)).toBe(130);
  expect(managerSaid(sb)).toEqual(['answered after a job started']);

  // Nothing was recorded: every file runs again.
  fs.rmSync(path.join(sb.tree, 'calc', 'held.py'));
  resetBatchProbe(sb);
  const next = await runRunner(['run', '-j', '1'], { cwd: sb.tree, env: baseEnv() });
  expect(next.code, show(next)).toBe(0);
  expect(batchProcesses(sb).flatMap((p) => p.files)).toEqual(started.filter((f) => f !== 'calc/held.py'));
});
