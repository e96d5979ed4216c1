// The results history: results kept by fingerprint (undo, redo, deleted and
// restored files, least recently used first out), counted by the probe tool,
// the outside witness of what really ran.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, show } from '../helpers/cli.js';
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
    // v1..v6 and back to v1, three times: longer than the history, so each version
    // may need to run again once it fell out, but the same state never runs twice in a row.
    const runs: number[] = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      for (const n of [2, 3, 4, 5, 6, 1]) {
        writeText(sb, 'calc/ops.py', version(n));
        runs.push((await ranFiles(sb)).length);
        // Unchanged since the last run: nothing runs, whatever the history dropped.
        expect(await ranFiles(sb), `v${n}, cycle ${cycle}, second run`).toEqual([]);
      }
    }
    // Six versions overflow a history of four: each visit may run once, never more.
    expect(runs.length).toBe(18);
    for (const r of runs) expect(r).toBeLessThanOrEqual(1);
  });

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
  });

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
});
