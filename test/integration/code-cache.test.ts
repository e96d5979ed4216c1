// bin/runner compiles the bundle with the V8 code cache the build made
// (scripts/bundle.mjs), and runs the same without it: a cache that is missing,
// damaged, made for another bundle, or rejected by V8 (other V8 flags) is
// compiled past, never trusted. Asserted on what bin/runner gives V8 (a
// preloaded probe of vm.Script) and on the run's result, never on timing.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { type RunResult, baseEnv, runRunner, show } from '../helpers/cli.js';
import { REPO, type Sandbox, useFixture, writeConfig } from '../helpers/sandbox.js';

const PROBE = path.join(REPO, 'test', 'helpers', 'code-cache-probe.mjs');
const BUNDLE = path.join('dist', 'bundle', 'runner.cjs');

interface Compiled {
  filename: string;
  given: boolean;
  rejected: boolean;
}

/** A copy of the package's start (bin/, package.json, dist/ or only its bundle) with the repository's packages. */
function copyPackage(sb: Sandbox, dist: 'bundle' | 'all' = 'bundle'): string {
  const pkg = path.join(sb.root, 'package');
  fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
  fs.cpSync(path.join(REPO, 'bin'), path.join(pkg, 'bin'), { recursive: true });
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(pkg, 'package.json'));
  if (dist === 'all') fs.cpSync(path.join(REPO, 'dist'), path.join(pkg, 'dist'), { recursive: true });
  else fs.cpSync(path.join(REPO, 'dist', 'bundle'), path.join(pkg, 'dist', 'bundle'), { recursive: true });
  fs.symlinkSync(fs.realpathSync(path.join(REPO, 'node_modules')), path.join(pkg, 'node_modules'));
  return pkg;
}

/** A run of one `true` job on the sandbox's tree from `pkg`, with what bin/runner gave V8 for the bundle. */
async function runFrom(
  sb: Sandbox,
  pkg: string,
  nodeArgs: string[] = [],
): Promise<{ res: RunResult; bundle: Compiled[] }> {
  const probe = path.join(sb.scratch, `compiled-${Date.now()}-${Math.random().toString(36).slice(2)}.jsonl`);
  fs.writeFileSync(probe, '');
  const res = await runRunner(['run'], {
    cwd: sb.tree,
    env: baseEnv({ RUNNER_TEST_CODE_CACHE: probe }),
    nodeArgs: [...nodeArgs, '--import', PROBE],
    bin: path.join(pkg, 'bin', 'runner'),
  });
  const compiled = fs
    .readFileSync(probe, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Compiled);
  return { res, bundle: compiled.filter((c) => c.filename === path.join(pkg, BUNDLE)) };
}

function oneJobTree(): Sandbox {
  const sb = useFixture('python-demo');
  writeConfig(sb, { include: ['**/*.py'], tools: [{ name: 'check', command: ['true', '{file}'] }] });
  return sb;
}

function expectRan(res: RunResult): void {
  expect(res.code, show(res)).toBe(0);
  expect(res.stdout).toMatch(/ \d+ ran \(\d+ passed, 0 failed\)/);
}

describe("the bundle is compiled with the build's V8 code cache, and runs the same without it", () => {
  test('the build made a cache, and V8 takes it', async () => {
    const sb = oneJobTree();
    const { res, bundle } = await runFrom(sb, REPO);
    expectRan(res);
    expect(bundle).toEqual([{ filename: path.join(REPO, BUNDLE), given: true, rejected: false }]);
  });

  test('without a cache the bundle is compiled and runs', async () => {
    const sb = oneJobTree();
    const pkg = copyPackage(sb);
    fs.rmSync(path.join(pkg, `${BUNDLE}.cache`));
    const { res, bundle } = await runFrom(sb, pkg);
    expectRan(res);
    expect(bundle).toMatchObject([{ given: false }]);
  });

  test('a damaged cache is not given to V8 (which would crash on it), and the run is the same', async () => {
    const sb = oneJobTree();
    const pkg = copyPackage(sb);
    const cacheFile = path.join(pkg, `${BUNDLE}.cache`);
    const cache = fs.readFileSync(cacheFile);
    for (let i = cache.length >> 1; i < (cache.length >> 1) + 100; i++) cache[i]! ^= 0x5a;
    fs.writeFileSync(cacheFile, cache);
    const { res, bundle } = await runFrom(sb, pkg);
    expectRan(res);
    expect(bundle).toMatchObject([{ given: false }]);
  });

  test("a cache made for another bundle is not given to V8, even for a bundle of the cache's length", async () => {
    const sb = oneJobTree();
    const pkg = copyPackage(sb);
    // Another build's bundle of the same length: V8 itself checks only the length, and would run the cached code.
    const bundleFile = path.join(pkg, BUNDLE);
    const text = fs.readFileSync(bundleFile, 'utf8');
    expect(text).toMatch(/\n\/\/ code cache key: [0-9a-f]{64}\n$/);
    fs.writeFileSync(bundleFile, text.slice(0, -65) + `${'0'.repeat(64)}\n`);
    const { res, bundle } = await runFrom(sb, pkg);
    expectRan(res);
    expect(bundle).toMatchObject([{ given: false }]);
  });

  test('a cache V8 rejects (node started with other V8 flags) leaves the bundle compiled as without one', async () => {
    const sb = oneJobTree();
    // A heap limit, as NODE_OPTIONS often sets: part of the V8 flags a cache is made under.
    const { res, bundle } = await runFrom(sb, REPO, ['--max-old-space-size=1024']);
    expectRan(res);
    expect(bundle).toEqual([{ filename: path.join(REPO, BUNDLE), given: true, rejected: true }]);
  });

  test('with no bundle, or one older than dist/, bin/runner runs dist/ itself', async () => {
    const sb = oneJobTree();
    const pkg = copyPackage(sb, 'all');
    // A tsc since the bundle was made: dist/ is newer, and the bundle would be stale.
    const later = new Date(fs.statSync(path.join(pkg, BUNDLE)).mtimeMs + 1000);
    fs.utimesSync(path.join(pkg, 'dist', 'cli', 'main.js'), later, later);
    const older = await runFrom(sb, pkg);
    expectRan(older.res);
    expect(older.bundle).toEqual([]);
    fs.rmSync(path.join(pkg, 'dist', 'bundle'), { recursive: true });
    const none = await runFrom(sb, pkg);
    expect(none.res.code, show(none.res)).toBe(0);
    expect(none.bundle).toEqual([]);
  });
});
