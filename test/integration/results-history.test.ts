// The results history: results kept by fingerprint (undo, redo, deleted and
// restored files, least recently used first out), counted by the probe tool,
// the outside witness of what really ran.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, show } from '../helpers/cli.js';
import { gitOk, initRepo } from '../helpers/git.js';
import { probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, useFixture, writeText } from '../helpers/sandbox.js';

/** One run that must pass; returns the files the probe ran on, and clears its log. */
async function ranFiles(sb: Sandbox): Promise<string[]> {
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  expect(json.jobs.flatMap((j) => j.reasons)).not.toContain('log-missing');
  const started = readProbeLog(sb).started;
  resetProbeLog(sb);
  return started;
}

const version = (n: number): string => `VALUE = ${n}\nprint('version ${n}')\n`;

describe('the results history', () => {
  test('issue 10: a file taken through six versions and back, again and again, runs each version at most once more', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb, { include: ['calc/ops.py'] });
    writeText(sb, 'calc/ops.py', version(1));
    expect(await ranFiles(sb)).toEqual(['calc/ops.py']);
    // v1..v6 and back to v1, twice: longer than the history, so each version
    // may need to run again once it fell out, but the same state never runs twice in a row.
    const runs: number[] = [];
    for (let cycle = 0; cycle < 2; cycle++) {
      for (const n of [2, 3, 4, 5, 6, 1]) {
        writeText(sb, 'calc/ops.py', version(n));
        runs.push((await ranFiles(sb)).length);
        // Unchanged since the last run: nothing runs, whatever the history dropped.
        expect(await ranFiles(sb), `v${n}, cycle ${cycle}, second run`).toEqual([]);
      }
    }
    // Six versions overflow a history of four: each visit may run once, never more.
    expect(runs.length).toBe(12);
    for (const r of runs) expect(r).toBeLessThanOrEqual(1);
  }, 240_000); // some 25 invocations: slow on a busy machine, so a long bound, no timing assertion

  test('issue 10: undo and redo within the history bound run nothing again', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb, { include: ['calc/ops.py'] });
    let total = 0;
    for (let cycle = 0; cycle < 4; cycle++) {
      for (const n of [1, 2, 3, 2, 1]) {
        writeText(sb, 'calc/ops.py', version(n));
        total += (await ranFiles(sb)).length;
      }
    }
    // Three distinct versions, within any bound: each ran once.
    expect(total).toBe(3);
  }, 240_000);

  test('issue 10: a log still used by a kept result is never deleted', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb, { include: ['calc/ops.py'] });
    for (const n of [1, 2, 3, 4, 5, 6, 1]) {
      writeText(sb, 'calc/ops.py', version(n));
      await ranFiles(sb);
    }
    // Several more invocations, each loading and saving the manifest.
    for (let i = 0; i < 3; i++) expect(await ranFiles(sb)).toEqual([]);
    const logs = fs.readdirSync(path.join(sb.tree, '.runner', 'logs'));
    const { json } = await runJson(['explain', 'calc/ops.py'], { cwd: sb.tree, env: baseEnv() });
    expect(JSON.stringify(json)).toContain('"state":"fresh"');
    expect(logs.length).toBeGreaterThan(0);
  });

  test('issue 10: a file deleted by a branch switch or a checkout and brought back runs nothing again', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb);
    initRepo(sb.tree);
    fs.appendFileSync(path.join(sb.tree, '.git', 'info', 'exclude'), '.runner/\n');
    gitOk(sb.tree, ['add', '-A']);
    gitOk(sb.tree, ['commit', '-q', '-m', 'demo']);
    expect((await ranFiles(sb)).length).toBeGreaterThan(2);

    // A branch without tests/test_stats.py, then back.
    gitOk(sb.tree, ['checkout', '-q', '-b', 'slim']);
    gitOk(sb.tree, ['rm', '-q', 'tests/test_stats.py']);
    gitOk(sb.tree, ['commit', '-q', '-m', 'slim']);
    expect(await ranFiles(sb)).toEqual([]);
    gitOk(sb.tree, ['checkout', '-q', 'main']);
    expect(fs.existsSync(path.join(sb.tree, 'tests/test_stats.py'))).toBe(true);
    expect(await ranFiles(sb)).toEqual([]);

    // Deleted in the working tree, then restored by git.
    fs.rmSync(path.join(sb.tree, 'calc/ops.py'));
    expect(await ranFiles(sb)).toEqual([]);
    gitOk(sb.tree, ['checkout', '--', 'calc/ops.py']);
    expect(await ranFiles(sb)).toEqual([]);

    // A stash that takes a new file away and brings it back.
    writeText(sb, 'calc/extra.py', 'EXTRA = 1\n');
    gitOk(sb.tree, ['add', 'calc/extra.py']);
    expect(await ranFiles(sb)).toEqual(['calc/extra.py']);
    gitOk(sb.tree, ['stash', '-q']);
    expect(fs.existsSync(path.join(sb.tree, 'calc/extra.py'))).toBe(false);
    expect(await ranFiles(sb)).toEqual([]);
    gitOk(sb.tree, ['stash', 'pop', '-q']);
    expect(await ranFiles(sb)).toEqual([]);
  });

  test('issue 10: a result reused in between stays in the history while newer versions come and go', async () => {
    const sb = useFixture('python-demo');
    probeOnly(sb, { include: ['calc/ops.py'] });
    const ran: number[] = [];
    // A, then B..H each followed by a return to A: seven versions besides A, far over the bound.
    for (const n of [1, 2, 1, 3, 1, 4, 1, 5, 1, 6, 1, 7, 1, 8, 1]) {
      writeText(sb, 'calc/ops.py', version(n));
      ran.push((await ranFiles(sb)).length);
    }
    // A ran once, at the start; every other version once.
    expect(ran).toEqual([1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
  }, 240_000);
});
