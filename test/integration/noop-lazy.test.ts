// A no-op reads the manifest lazily (issue 17 point 1): files and results stay
// packed, compared in place. These runs go through the packed path (the results
// folded into their snapshot, then loaded again) and count with the probe that
// an edited, rewritten or new file still runs and nothing else does.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { baseEnv, runRunner, show } from '../helpers/cli.js';
import { probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, readConfig, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

/** Runs once, as a terminal user does (no --json: nothing lists the fresh jobs), and returns the files whose probe job really started. */
async function probed(sb: Sandbox): Promise<string[]> {
  resetProbeLog(sb);
  const res = await runRunner(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  return readProbeLog(sb).started.sort();
}

test('issue 17: after a no-op that built no entry or result, an edited, a same-size rewritten and a new file run, and only they', async () => {
  const sb = useFixture('python-demo');
  for (let i = 0; i < 6; i++) writeText(sb, `data/f${i}.txt`, `value ${i}\n`);
  const config = probeOnly(sb, {}, { include: ['data/**/*.txt'], exclude: [] });
  // A second tool, removed below: dropping its results folds every result into the packed snapshot.
  writeConfig(sb, { ...config, tools: [...config.tools, { name: 'other', command: ['true'] }] });
  const all = [0, 1, 2, 3, 4, 5].map((i) => `data/f${i}.txt`);
  expect(await probed(sb)).toEqual(all);
  writeConfig(sb, { ...readConfig(sb), tools: config.tools });
  expect(await probed(sb)).toEqual([]);
  expect(await probed(sb)).toEqual([]); // loaded packed: files and results compared in place

  writeText(sb, 'data/f1.txt', 'VALUE 1\n'); // same size, another content
  fs.appendFileSync(path.join(sb.tree, 'data/f2.txt'), 'more\n');
  const f3 = path.join(sb.tree, 'data/f3.txt');
  fs.utimesSync(f3, new Date(), new Date(Date.now() + 5000)); // another mtime, same content: read, not run
  fs.rmSync(path.join(sb.tree, 'data/f4.txt'));
  writeText(sb, 'data/new.txt', 'new\n');
  expect(await probed(sb)).toEqual(['data/f1.txt', 'data/f2.txt', 'data/new.txt']);
  expect(await probed(sb)).toEqual([]);

  writeText(sb, 'data/f4.txt', 'value 4\n'); // back as it was: its kept result holds
  writeText(sb, 'data/f5.txt', 'value 5!\n');
  expect(await probed(sb)).toEqual(['data/f5.txt']);
  expect(await probed(sb)).toEqual([]);
});
