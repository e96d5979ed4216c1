// The kept javascript graph (issue 10, point 15): a no-op reuses the resolved
// graph instead of resolving every import again, and anything resolution
// consulted that changes (a new file an import now finds, tracked or not, a
// package.json "exports", tsconfig "paths", a new file in node_modules)
// still re-runs exactly the jobs it reaches, counted by the probe.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { BIN, baseEnv, runJson, show } from '../helpers/cli.js';
import { readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, writeText } from '../helpers/sandbox.js';
import { jsDepsTree } from '../helpers/js-deps-tree.js';

const TREE: Record<string, string> = {
  'tsconfig.json':
    '{\n  // untracked: only resolution reads it\n  "compilerOptions": { "baseUrl": ".", "paths": { "@shared/*": ["shared-v1/*"] } },\n}\n',
  'shared-v1/name.ts': "export const name = 'v1';\n",
  'shared-v2/name.ts': "export const name = 'v2';\n",
  'node_modules/pkg/package.json': '{ "name": "pkg", "exports": { ".": "./a.js" } }\n',
  'node_modules/pkg/a.js': 'export default 1;\n',
  'node_modules/pkg/b.js': 'export default 22;\n',
  'src/plain.ts': 'export const plain = 1;\n',
  'src/uses-alias.ts': "import { name } from '@shared/name';\nexport const n = name;\n",
  'src/uses-pkg.ts': "import x from 'pkg';\nexport const y = x;\n",
  'src/uses-later.ts': "import { later } from './later';\nexport const l = later;\n",
  'src/uses-generated.ts': "import { g } from '../gen/out.js';\nexport const h = g;\n",
  'src/uses-extra.ts': "import e from 'pkg/extra';\nexport const f = e;\n",
  'src/uses-newpkg.ts': "import n from 'newpkg';\nexport const m = n;\n",
};

/**
 * The tree above, the probe on src/**\/*.ts with javascript deps (only src/ is
 * tracked), its first run, and a no-op that reuses the kept graph.
 */
async function keptTree(): Promise<Sandbox> {
  const sb = await settledTree();
  const again = await noop(sb);
  expect(again.resolved, 'the no-op resolved imports again instead of reusing the kept graph').toBe(0);
  resetProbeLog(sb);
  return sb;
}

/**
 * The tree above after its first run and a no-op, with stamps old enough to
 * prove a directory unchanged; `settleMs` is how long to wait between the two.
 */
async function settledTree(settleMs = 250): Promise<Sandbox> {
  const sb = jsDepsTree(TREE);
  const first = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(first.res.code, show(first.res)).toBe(0);
  expect(first.json.counts).toMatchObject({ jobs: 7, ran: 7 });
  // A directory changed less than 100 ms before it was read proves nothing by its timestamps
  // (the kernel's clock is coarse): wait, so the next run keeps stamps that do.
  await sleep(settleMs);
  await noop(sb);
  return sb;
}

async function noop(sb: Sandbox): Promise<{ resolved: number | undefined }> {
  const { res, json } = await runJson<{ counts: { ran: number }; deps: Record<string, { resolved?: number }> }>(
    ['run'],
    { cwd: sb.tree, env: baseEnv() },
  );
  expect(res.code, show(res)).toBe(0);
  expect(json.counts.ran).toBe(0);
  return { resolved: json.deps.javascript?.resolved };
}

/** Runs, and returns the files whose jobs the probe saw start. */
async function ran(sb: Sandbox): Promise<string[]> {
  resetProbeLog(sb);
  const { res } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  return readProbeLog(sb).started.sort();
}

describe('the kept javascript graph', () => {
  test('issue 10: a no-op with "deps": "javascript" reads no directory of the tree', async () => {
    // The scan itself lists a directory changed within 2 s of the last scan (its racy margin):
    // waiting that long before the settling no-op leaves the traced run nothing of the scan's to list.
    const sb = await settledTree(2500);
    resetProbeLog(sb);
    const trace = path.join(sb.scratch, 'noop.trace');
    const res = spawnSync(
      'strace',
      ['-f', '-qq', '-e', 'trace=openat,getdents64', '-o', trace, process.execPath, BIN, 'run', '-q'],
      {
        cwd: sb.tree,
        env: baseEnv(),
        encoding: 'utf8',
      },
    );
    expect(res.status, res.stderr).toBe(0);
    expect(readProbeLog(sb).started).toEqual([]);
    // Resolving imports lists src/ (for ./later) and every node_modules up to the root; the kept graph
    // only stats them. The state directory (its logs) is runner's own.
    const state = path.join(sb.tree, '.runner');
    const listed = fs
      .readFileSync(trace, 'utf8')
      .split('\n')
      .filter((l) => l.includes('O_DIRECTORY'))
      .map((l) => /"([^"]*)"/.exec(l)?.[1] ?? l)
      .filter((dir) => (dir.startsWith(sb.root) && !dir.startsWith(state)) || dir.endsWith('/node_modules'));
    expect(listed).toEqual([]);
  });

  test('issue 10: a new tracked file that an unresolved import now finds re-runs its importer', async () => {
    const sb = await keptTree();
    writeText(sb, 'src/later.ts', 'export const later = 1;\n');
    expect(await ran(sb)).toEqual(['src/later.ts', 'src/uses-later.ts']);
  });

  test('issue 10: a new untracked file that an unresolved import now finds re-runs its importer', async () => {
    const sb = await keptTree();
    writeText(sb, 'gen/out.js', 'export const g = 1;\n');
    expect(await ran(sb)).toEqual(['src/uses-generated.ts']);
  });

  test('issue 10: editing a package.json "exports" re-runs the files importing that package', async () => {
    const sb = await keptTree();
    writeText(sb, 'node_modules/pkg/package.json', '{ "name": "pkg", "exports": { ".": "./b.js" } }\n');
    expect(await ran(sb)).toEqual(['src/uses-pkg.ts']);
  });

  test('issue 10: editing tsconfig.json "paths" re-runs the files importing through them', async () => {
    const sb = await keptTree();
    writeText(
      sb,
      'tsconfig.json',
      '{ "compilerOptions": { "baseUrl": ".", "paths": { "@shared/*": ["shared-v2/*"] } } }\n',
    );
    expect(await ran(sb)).toEqual(['src/uses-alias.ts']);
  });

  test('issue 10: a new file or package in node_modules re-runs the files whose import it satisfies', async () => {
    const sb = await keptTree();
    writeText(sb, 'node_modules/pkg/extra.js', 'export default 3;\n');
    expect(await ran(sb)).toEqual(['src/uses-extra.ts']);
    writeText(sb, 'node_modules/newpkg/index.js', 'export default 4;\n');
    expect(await ran(sb)).toEqual(['src/uses-newpkg.ts']);
  });

  test('issue 10: a package reached through a symlink re-runs its importers when the link points elsewhere', async () => {
    const sb = await keptTree();
    writeText(sb, 'vendor/one/index.js', 'export default 1;\n');
    writeText(sb, 'vendor/two/index.js', 'export default 22;\n');
    writeText(sb, 'src/uses-linked.ts', "import v from 'linked';\nexport const w = v;\n");
    fs.symlinkSync('../vendor/one', path.join(sb.tree, 'node_modules', 'linked'));
    expect(await ran(sb)).toEqual(['src/uses-linked.ts']);
    await sleep(250);
    await noop(sb);
    expect((await noop(sb)).resolved).toBe(0);
    // Swapped in place, as pnpm and npm link do: the same name, another target.
    fs.symlinkSync('../vendor/two', path.join(sb.tree, 'node_modules', 'linked.new'));
    fs.renameSync(path.join(sb.tree, 'node_modules', 'linked.new'), path.join(sb.tree, 'node_modules', 'linked'));
    expect(await ran(sb)).toEqual(['src/uses-linked.ts']);
  });
});
