// "deps": "javascript" follows imports through every JS or TS file they reach,
// tracked or not (issue 11, point 8), node_modules included, and a
// `declare module './x'` augmentation is an edge to ./x, as is a
// `/// <reference path>` directive to its file (point 9). Each test
// runs the probe on fixtures/js-follow's tests and counts which jobs really ran.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { BIN, baseEnv, runJson, show } from '../helpers/cli.js';
import { probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, useFixture, writeText } from '../helpers/sandbox.js';

const ALL = [
  'test/area.test.ts',
  'test/colour.test.ts',
  'test/globals.test.ts',
  'test/plain.test.ts',
  'test/report.test.ts',
];

/** fixtures/js-follow with the probe (javascript deps) on its tests, after a first run of every job. */
async function followTree(): Promise<Sandbox> {
  const sb = useFixture('js-follow');
  probeOnly(sb, { deps: 'javascript', include: ['test/**/*.ts'] });
  expect(await probed(sb)).toEqual(ALL);
  return sb;
}

/** Runs once and returns the files whose probe job really started. */
async function probed(sb: Sandbox): Promise<string[]> {
  resetProbeLog(sb);
  const { res } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  return readProbeLog(sb).started.sort();
}

type DepsCounts = { files: number; scanned: number; resolved?: number; followed?: number };

async function depsCounts(sb: Sandbox): Promise<DepsCounts> {
  const { res, json } = await runJson<{ counts: { ran: number }; deps: Record<string, DepsCounts> }>(['run'], {
    cwd: sb.tree,
    env: baseEnv(),
  });
  expect(res.code, show(res)).toBe(0);
  expect(json.counts.ran).toBe(0);
  return json.deps.javascript!;
}

describe('issue 11: imports are followed through files runner does not track', () => {
  test('editing an untracked file two steps away re-runs exactly its importers, and touching it does not', async () => {
    const sb = await followTree();
    writeText(
      sb,
      'vendor/sum.ts',
      'export function total(xs: number[]): number {\n  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b);\n}\n',
    );
    expect(await probed(sb)).toEqual(['test/report.test.ts']);
    writeText(
      sb,
      'src/generated/report.ts',
      "import { total } from '../../vendor/sum';\n\nexport const report = (): string => `total: ${total([1, 2])}`;\n",
    );
    expect(await probed(sb)).toEqual(['test/report.test.ts']);
    // Same bytes, new mtime: read again (its stat changed), identified by content, so nothing runs.
    fs.utimesSync(path.join(sb.tree, 'vendor/sum.ts'), new Date(), new Date(Date.now() + 5000));
    expect(await probed(sb)).toEqual([]);
  });

  test('an import the followed file adds, to a tracked file, re-runs its importers when that file changes', async () => {
    const sb = await followTree();
    writeText(
      sb,
      'src/generated/report.ts',
      "import { double } from '../double';\n\nexport const report = (): string => `total: ${double(1) + 1}`;\n",
    );
    expect(await probed(sb)).toEqual(['test/report.test.ts']);
    writeText(sb, 'src/double.ts', 'export const double = (x: number): number => x + x;\n');
    expect(await probed(sb)).toEqual(['test/plain.test.ts', 'test/report.test.ts']);
  });

  test('a no-op after following reads no followed file and resolves nothing, and an edit to one still re-runs its importers', async () => {
    const sb = await followTree();
    // Files written within 2 s are racy: their stat proves nothing, so the next run reads them again.
    await sleep(2100);
    expect(await probed(sb)).toEqual([]);
    expect(await depsCounts(sb)).toMatchObject({ scanned: 0, resolved: 0, followed: 0 });
    const trace = path.join(sb.scratch, 'noop.trace');
    resetProbeLog(sb);
    const res = spawnSync(
      'strace',
      ['-f', '-qq', '-e', 'trace=openat', '-o', trace, process.execPath, BIN, 'run', '-q'],
      {
        cwd: sb.tree,
        env: baseEnv(),
        encoding: 'utf8',
      },
    );
    expect(res.status, res.stderr).toBe(0);
    expect(readProbeLog(sb).started).toEqual([]);
    const opened = fs
      .readFileSync(trace, 'utf8')
      .split('\n')
      .map((l) => /"([^"]*)"/.exec(l)?.[1] ?? '')
      .filter(
        (f) =>
          f.startsWith(path.join(sb.tree, 'vendor')) ||
          f.startsWith(path.join(sb.tree, 'src/generated')) ||
          f.startsWith(path.join(sb.tree, 'types')),
      );
    expect(opened).toEqual([]);
    // The kept graph holds only while every followed file's stat does: an edit two steps away still re-runs.
    writeText(sb, 'vendor/sum.ts', 'export const total = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);\n');
    expect(await probed(sb)).toEqual(['test/report.test.ts']);
  });

  test("a package's own imports in node_modules are followed: editing a dependency of a dependency re-runs its users", async () => {
    const sb = useFixture('js-follow');
    probeOnly(sb, { deps: 'javascript', include: ['test/**/*.ts'] });
    writeText(sb, 'node_modules/outer/package.json', '{ "name": "outer", "main": "index.js" }\n');
    writeText(sb, 'node_modules/outer/index.js', "module.exports = require('inner');\n");
    writeText(sb, 'node_modules/inner/package.json', '{ "name": "inner", "exports": "./lib/main.js" }\n');
    writeText(sb, 'node_modules/inner/lib/main.js', "module.exports = { v: require('./value.js') };\n");
    writeText(sb, 'node_modules/inner/lib/value.js', 'module.exports = 1;\n');
    writeText(sb, 'test/pkg.test.ts', "import outer from 'outer';\n\nif (outer.v !== 1) throw new Error('v');\n");
    expect(await probed(sb)).toEqual([...ALL, 'test/pkg.test.ts'].sort());
    writeText(sb, 'node_modules/inner/lib/value.js', 'module.exports = 2;\n');
    expect(await probed(sb)).toEqual(['test/pkg.test.ts']);
    expect(await probed(sb)).toEqual([]);
  });
});

describe('issue 11: declarations name the files tsc reads with them', () => {
  test('editing an augmented module re-runs the importers of each file that augments it, tracked or followed', async () => {
    const sb = await followTree();
    writeText(sb, 'src/shape.ts', 'export interface Shape {\n  sides: number;\n  name: string;\n}\n');
    expect(await probed(sb)).toEqual(['test/area.test.ts', 'test/colour.test.ts']);
  });

  test('a /// <reference path> directive is an edge to the declaration file it names', async () => {
    const sb = await followTree();
    writeText(sb, 'types/globals.d.ts', 'declare const BUILD_ID: number;\n');
    expect(await probed(sb)).toEqual(['test/globals.test.ts']);
  });
});
