// The type packages tsc loads with no import (every package in
// node_modules/@types, from a file's directory up: tsc's default typeRoots)
// are dependencies of each tracked TypeScript file under "deps": "javascript":
// upgrading, adding or removing one re-runs the TypeScript files' jobs, not
// the JavaScript files'. Counted by the probe, which appends each job it runs.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, show } from '../helpers/cli.js';
import { readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, writeText } from '../helpers/sandbox.js';
import { jsDepsTree } from '../helpers/js-deps-tree.js';

const TREE: Record<string, string> = {
  'tsconfig.json': '{ "compilerOptions": { "strict": true } }\n',
  'node_modules/@types/greeting/package.json':
    '{ "name": "@types/greeting", "version": "1.0.0", "types": "index.d.ts" }\n',
  'node_modules/@types/greeting/index.d.ts': '/// <reference path="more.d.ts" />\ndeclare const greeting: string;\n',
  'node_modules/@types/greeting/more.d.ts': 'declare const farewell: string;\n',
  // A directory with no declarations: tsc reports it; runner neither follows it nor warns.
  'node_modules/@types/empty/README.md': 'nothing here\n',
  'src/use.ts': 'export const g: string = greeting;\n',
  'src/sub/deep.ts': 'export const f: string = farewell;\n',
  'src/plain.js': 'export const p = 1;\n',
};

async function settled(): Promise<Sandbox> {
  const sb = jsDepsTree(TREE, ['src/**/*.ts', 'src/**/*.js']);
  const first = await run(sb);
  expect(first.ran).toEqual(['src/plain.js', 'src/sub/deep.ts', 'src/use.ts']);
  expect(first.stderr).not.toContain('resolves nowhere');
  // A directory read within 100 ms of a change proves nothing by its stamps: let them settle.
  await sleep(250);
  expect((await run(sb)).ran).toEqual([]);
  return sb;
}

async function run(sb: Sandbox): Promise<{ ran: string[]; stderr: string }> {
  resetProbeLog(sb);
  const { res } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  return { ran: readProbeLog(sb).started.sort(), stderr: res.stderr };
}

describe('type packages tsc loads unasked', () => {
  test('issue 10: upgrading an @types package re-runs every TypeScript file, through its referenced files too', async () => {
    const sb = await settled();
    writeText(sb, 'node_modules/@types/greeting/more.d.ts', 'declare const farewell: number;\n');
    expect((await run(sb)).ran).toEqual(['src/sub/deep.ts', 'src/use.ts']);
    expect((await run(sb)).ran).toEqual([]);
    // A new version whose declarations moved to another file: what tsc reads is that file now.
    writeText(
      sb,
      'node_modules/@types/greeting/v2.d.ts',
      'declare const greeting: string;\ndeclare const farewell: string;\n',
    );
    writeText(
      sb,
      'node_modules/@types/greeting/package.json',
      '{ "name": "@types/greeting", "version": "2.0.0", "types": "v2.d.ts" }\n',
    );
    expect((await run(sb)).ran).toEqual(['src/sub/deep.ts', 'src/use.ts']);
    // The version alone, with the same declarations, changes nothing tsc reads: nothing runs.
    writeText(
      sb,
      'node_modules/@types/greeting/package.json',
      '{ "name": "@types/greeting", "version": "2.0.1", "types": "v2.d.ts" }\n',
    );
    expect((await run(sb)).ran).toEqual([]);
  });

  test('issue 10: a new @types package re-runs the TypeScript files, and so does removing one', async () => {
    const sb = await settled();
    writeText(sb, 'node_modules/@types/extra/index.d.ts', 'declare const extra: string;\n');
    expect((await run(sb)).ran).toEqual(['src/sub/deep.ts', 'src/use.ts']);
    await sleep(250);
    expect((await run(sb)).ran).toEqual([]);
    // Without greeting, tsc fails on both files: a state they have never run in.
    fs.rmSync(path.join(sb.tree, 'node_modules/@types/greeting'), { recursive: true });
    expect((await run(sb)).ran).toEqual(['src/sub/deep.ts', 'src/use.ts']);
    // Without extra as well, the packages are the first run's again, whose passes are kept: nothing runs.
    await sleep(250);
    fs.rmSync(path.join(sb.tree, 'node_modules/@types/extra'), { recursive: true });
    writeText(sb, 'node_modules/@types/greeting/package.json', TREE['node_modules/@types/greeting/package.json']!);
    writeText(sb, 'node_modules/@types/greeting/index.d.ts', TREE['node_modules/@types/greeting/index.d.ts']!);
    writeText(sb, 'node_modules/@types/greeting/more.d.ts', TREE['node_modules/@types/greeting/more.d.ts']!);
    expect((await run(sb)).ran).toEqual([]);
  });

  test('issue 10: an @types directory above the source tree counts (a hoisted node_modules)', async () => {
    const sb = await settled();
    // The sandbox's tree sits in a scratch directory: a node_modules/@types beside the tree is above every file.
    const above = path.join(path.dirname(sb.tree), 'node_modules', '@types', 'hoisted');
    fs.mkdirSync(above, { recursive: true });
    try {
      fs.writeFileSync(path.join(above, 'index.d.ts'), 'declare const hoisted: string;\n');
      expect((await run(sb)).ran).toEqual(['src/sub/deep.ts', 'src/use.ts']);
      fs.writeFileSync(path.join(above, 'index.d.ts'), 'declare const hoisted: number;\n');
      expect((await run(sb)).ran).toEqual(['src/sub/deep.ts', 'src/use.ts']);
    } finally {
      fs.rmSync(path.join(path.dirname(sb.tree), 'node_modules'), { recursive: true, force: true });
    }
  });
});
