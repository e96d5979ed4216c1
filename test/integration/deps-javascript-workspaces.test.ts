// "deps": "javascript" in workspace layouts (issue 11, points 1, 6 and 7): a
// package linked into node_modules (npm workspaces, pnpm) is the tracked file
// behind the link, a package imports itself by its own name, and an import of
// a .js file beside its .ts or .d.ts depends on both. Each test edits or
// relinks a dependency in a temp copy of fixtures/js-workspaces and counts,
// with the probe, exactly which jobs re-ran.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, show } from '../helpers/cli.js';
import { probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, appendText, useFixture, writeText } from '../helpers/sandbox.js';

const ALL = [
  'packages/app/src/emitted.ts',
  'packages/app/src/legacy.d.ts',
  'packages/app/src/main.ts',
  'packages/app/src/siblings.ts',
  'packages/app/src/standalone.ts',
  'packages/lib-next/src/index.ts',
  'packages/lib/src/index.ts',
  'packages/lib/src/util.ts',
  'packages/lib/test/self.test.ts',
];

/** The fixture with the probe on every .ts file, javascript deps. */
function workspace(): Sandbox {
  const sb = useFixture('js-workspaces');
  probeOnly(sb, { deps: 'javascript', include: ['**/*.ts'] });
  return sb;
}

/**
 * node_modules as `npm install` makes it for the workspaces: a real install
 * (no registry package is needed, so it runs offline), or where npm cannot,
 * the same links it would make.
 */
function npmInstall(sb: Sandbox): 'npm' | 'symlinks' {
  const npm = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund'], {
    cwd: sb.tree,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const linked = (name: string): boolean =>
    fs.lstatSync(path.join(sb.tree, 'node_modules/@ws', name), { throwIfNoEntry: false })?.isSymbolicLink() === true;
  if (npm.status === 0 && linked('lib') && linked('lib-next')) return 'npm';
  fs.rmSync(path.join(sb.tree, 'node_modules'), { recursive: true, force: true });
  fs.mkdirSync(path.join(sb.tree, 'node_modules/@ws'), { recursive: true });
  for (const name of ['app', 'lib', 'lib-next'])
    fs.symlinkSync(`../../packages/${name}`, path.join(sb.tree, 'node_modules/@ws', name));
  return 'symlinks';
}

/** Runs once; the files whose probe job started, and how many files had their imports resolved again. */
async function probed(sb: Sandbox): Promise<{ ran: string[]; resolved: number | undefined }> {
  resetProbeLog(sb);
  const { res, json } = await runJson<{ deps: Record<string, { resolved?: number }> }>(['run'], {
    cwd: sb.tree,
    env: baseEnv(),
  });
  expect(res.code, show(res)).toBe(0);
  return { ran: readProbeLog(sb).started.sort(), resolved: json.deps.javascript?.resolved };
}

const ran = async (sb: Sandbox): Promise<string[]> => (await probed(sb)).ran;

/**
 * The first run (every job), then, once the tree's timestamps are old enough
 * to prove a listing unchanged, a no-op that reuses the kept graph.
 */
async function settle(sb: Sandbox, jobs: string[] = ALL): Promise<void> {
  expect(await ran(sb)).toEqual(jobs);
  await sleep(250);
  await probed(sb);
  expect(await probed(sb)).toEqual({ ran: [], resolved: 0 });
}

/** Points the symlink at `target` instead, as a reinstall does (ln -sfn: a new link renamed over the old). */
function relink(sb: Sandbox, link: string, target: string): void {
  const abs = path.join(sb.tree, link);
  fs.symlinkSync(target, abs + '.new');
  fs.renameSync(abs + '.new', abs);
}

describe('issue 11: workspace packages linked into node_modules', () => {
  test('npm workspaces: editing a file of a linked package re-runs the importers in other packages, and only them', async () => {
    const sb = workspace();
    npmInstall(sb);
    await settle(sb);
    appendText(sb, 'packages/lib/src/util.ts', 'export const three = 3;\n');
    expect(await ran(sb)).toEqual([
      'packages/app/src/main.ts',
      'packages/lib/src/index.ts',
      'packages/lib/src/util.ts',
      'packages/lib/test/self.test.ts',
    ]);
    expect(await ran(sb)).toEqual([]);
  });

  test('retargeting a workspace link between runs re-runs its importers, though no tracked file changed', async () => {
    const sb = workspace();
    npmInstall(sb);
    await settle(sb);
    relink(sb, 'node_modules/@ws/lib', '../../packages/lib-next');
    expect(await ran(sb)).toEqual(['packages/app/src/main.ts']);
    expect(await ran(sb)).toEqual([]);
    // main.ts now depends on the package the link leads to, not the one it led to.
    appendText(sb, 'packages/lib-next/src/index.ts', 'export const five = 5;\n');
    expect(await ran(sb)).toEqual(['packages/app/src/main.ts', 'packages/lib-next/src/index.ts']);
    appendText(sb, 'packages/lib/src/util.ts', 'export const three = 3;\n');
    expect(await ran(sb)).toEqual([
      'packages/lib/src/index.ts',
      'packages/lib/src/util.ts',
      'packages/lib/test/self.test.ts',
    ]);
  });

  test("pnpm: workspace links in the package's own node_modules, and a registry package in node_modules/.pnpm", async () => {
    const sb = workspace();
    // pnpm links a workspace dependency into its importer's node_modules, and a
    // registry package from node_modules/.pnpm/<name>@<version>/node_modules/<name>.
    const store = (version: string): void => {
      writeText(
        sb,
        `node_modules/.pnpm/ext@${version}/node_modules/ext/package.json`,
        `{ "name": "ext", "version": "${version}", "main": "index.js" }\n`,
      );
      writeText(sb, `node_modules/.pnpm/ext@${version}/node_modules/ext/index.js`, `exports.version = '${version}';\n`);
    };
    store('1.0.0');
    store('2.0.0');
    fs.mkdirSync(path.join(sb.tree, 'packages/app/node_modules/@ws'), { recursive: true });
    fs.symlinkSync('../../../lib', path.join(sb.tree, 'packages/app/node_modules/@ws/lib'));
    fs.symlinkSync(
      '../../../node_modules/.pnpm/ext@1.0.0/node_modules/ext',
      path.join(sb.tree, 'packages/app/node_modules/ext'),
    );
    writeText(
      sb,
      'packages/app/src/uses-ext.ts',
      "import { version } from 'ext';\n\nexport const v: string = version;\n",
    );
    await settle(sb, [...ALL, 'packages/app/src/uses-ext.ts'].sort());
    appendText(sb, 'packages/lib/src/util.ts', 'export const three = 3;\n');
    expect(await ran(sb)).toEqual([
      'packages/app/src/main.ts',
      'packages/lib/src/index.ts',
      'packages/lib/src/util.ts',
      'packages/lib/test/self.test.ts',
    ]);
    appendText(sb, 'node_modules/.pnpm/ext@1.0.0/node_modules/ext/index.js', 'exports.patched = true;\n');
    expect(await ran(sb)).toEqual(['packages/app/src/uses-ext.ts']);
    expect(await ran(sb)).toEqual([]);
    relink(sb, 'packages/app/node_modules/ext', '../../../node_modules/.pnpm/ext@2.0.0/node_modules/ext');
    expect(await ran(sb)).toEqual(['packages/app/src/uses-ext.ts']);
    expect(await ran(sb)).toEqual([]);
  });
});

describe('issue 11: a package importing itself by its own name', () => {
  test('a test that imports its package by name re-runs when the package changes, with no node_modules at all', async () => {
    const sb = workspace();
    await settle(sb);
    appendText(sb, 'packages/lib/src/util.ts', 'export const three = 3;\n');
    // main.ts's "@ws/lib" resolves nowhere without node_modules: only the package's own files.
    expect(await ran(sb)).toEqual([
      'packages/lib/src/index.ts',
      'packages/lib/src/util.ts',
      'packages/lib/test/self.test.ts',
    ]);
  });
});

describe('issue 11: sibling sources', () => {
  test('an import of ./x.js depends on x.js (what Node runs) and on x.ts or x.d.ts beside it (what tsc checks)', async () => {
    const sb = workspace();
    await settle(sb);
    const edits: [string, string[]][] = [
      ['packages/app/src/emitted.ts', ['packages/app/src/emitted.ts', 'packages/app/src/siblings.ts']],
      ['packages/app/src/emitted.js', ['packages/app/src/siblings.ts']],
      ['packages/app/src/legacy.d.ts', ['packages/app/src/legacy.d.ts', 'packages/app/src/siblings.ts']],
      ['packages/app/src/legacy.js', ['packages/app/src/siblings.ts']],
    ];
    for (const [file, jobs] of edits) {
      appendText(sb, file, '// edited\n');
      expect(await ran(sb), file).toEqual(jobs);
    }
  });
});
