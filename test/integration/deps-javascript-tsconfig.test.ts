// "deps": "javascript" and tsconfig files (issue 11, points 2-5): each file's
// imports go through the tsconfig tsc would compile it under (the nearest one
// upward that includes it, a project it references, or one further up), with
// "extends" chains, packages and arrays, "paths" before package.json "imports",
// and a tsconfig saved with a byte order mark. TypeScript itself confirms each
// expectation first; then editing the dependency re-runs exactly the right jobs.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { baseEnv, runJson, show } from '../helpers/cli.js';
import { probeOnly, readProbeLog, resetProbeLog } from '../helpers/probe.js';
import { type Sandbox, appendText, useFixture, writeText } from '../helpers/sandbox.js';

/** The package apps/admin/tsconfig.json extends by name: `pkg` means pkg/tsconfig.json; `${configDir}` is apps/admin. */
const BASE_PACKAGE: Record<string, string> = {
  'node_modules/@acme/tsconfig-base/package.json': '{ "name": "@acme/tsconfig-base", "version": "1.0.0" }\n',
  'node_modules/@acme/tsconfig-base/tsconfig.json':
    '{ "compilerOptions": { "strict": true, "module": "esnext", "moduleResolution": "bundler", "noEmit": true, "paths": { "~/*": ["${configDir}/src/*"] } } }\n',
};

/** [importing file, specifier, the tsconfig that compiles it, what the specifier names]. */
const CASES: [from: string, specifier: string, project: string, resolved: string][] = [
  // Nx: apps/shop/tsconfig.json -> tsconfig.base.json -> config/tsconfig.paths.json, paths relative to config/.
  ['apps/shop/src/main.ts', '@libs/cart', 'apps/shop/tsconfig.json', 'libs/cart/src/index.ts'],
  // No tsconfig.json nearer than the solution-style root: its references own these.
  ['libs/cart/src/index.ts', '@libs/money', 'libs/cart/tsconfig.lib.json', 'libs/money/src/index.ts'],
  ['libs/cart/src/cart.spec.ts', '@libs/money', 'libs/cart/tsconfig.spec.json', 'testing/money/index.ts'],
  ['apps/admin/src/main.ts', '~/users', 'apps/admin/tsconfig.json', 'apps/admin/src/users.ts'],
  ['apps/blog/src/main.ts', '@blog/post', 'apps/blog/tsconfig.json', 'apps/blog/new/post.ts'],
  ['web/src/app.ts', '@/button', 'web/tsconfig.json', 'web/src/button.ts'],
  ['web/src/app.ts', '#app', 'web/tsconfig.json', 'web/app-shim.ts'],
  // web/tsconfig.json excludes legacy/: the root's reference tsconfig.scripts.json includes it.
  ['web/legacy/old.ts', '@/button', 'tsconfig.scripts.json', 'shared/button.ts'],
  ['docs/src/page.ts', '@/button', 'docs/tsconfig.json', 'docs/src/button.ts'],
];

function fixture(): Sandbox {
  const sb = useFixture('js-tsconfig');
  for (const [rel, text] of Object.entries(BASE_PACKAGE)) writeText(sb, rel, text);
  probeOnly(sb, { deps: 'javascript' });
  return sb;
}

/** The fixture after its first run and a no-op that keeps the graph. */
async function settled(): Promise<Sandbox> {
  const sb = fixture();
  const first = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(first.res.code, show(first.res)).toBe(0);
  expect(first.json.counts).toMatchObject({ jobs: 18, ran: 18 });
  // Stamps taken within 100 ms of a change prove nothing: let the no-op keep ones that do.
  await sleep(250);
  expect(await ran(sb)).toEqual([]);
  return sb;
}

/** Runs, and returns the files whose jobs the probe saw start. */
async function ran(sb: Sandbox): Promise<string[]> {
  resetProbeLog(sb);
  const { res } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  return readProbeLog(sb).started.sort();
}

describe('javascript dependencies through tsconfig files', () => {
  test('issue 11: TypeScript compiles each file under the expected tsconfig and resolves each specifier as expected', () => {
    const sb = fixture();
    const abs = (rel: string): string => path.join(sb.tree, rel);
    const host: ts.ParseConfigFileHost = {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(String(d.messageText));
      },
    };
    for (const [from, specifier, project, resolved] of CASES) {
      const parsed = ts.getParsedCommandLineOfConfigFile(abs(project), {}, host)!;
      expect(parsed.fileNames, `${project} compiles ${from}`).toContain(abs(from));
      const found = ts.resolveModuleName(specifier, abs(from), parsed.options, ts.sys).resolvedModule?.resolvedFileName;
      expect(found, `${specifier} from ${from}`).toBe(abs(resolved));
    }
    // The nearest tsconfig.json of these does not compile them.
    const web = ts.getParsedCommandLineOfConfigFile(abs('web/tsconfig.json'), {}, host)!;
    expect(web.fileNames).not.toContain(abs('web/legacy/old.ts'));
    const lib = ts.getParsedCommandLineOfConfigFile(abs('libs/cart/tsconfig.lib.json'), {}, host)!;
    expect(lib.fileNames).not.toContain(abs('libs/cart/src/cart.spec.ts'));
  });

  test("issue 11: paths reached through an extends chain (Nx tsconfig.base.json) and a solution-style root's references", async () => {
    const sb = await settled();
    appendText(sb, 'libs/money/src/index.ts', '// changed\n');
    // Not cart.spec.ts: tsconfig.spec.json maps @libs/money to the mock.
    expect(await ran(sb)).toEqual(['apps/shop/src/main.ts', 'libs/cart/src/index.ts', 'libs/money/src/index.ts']);
    appendText(sb, 'testing/money/index.ts', '// changed\n');
    expect(await ran(sb)).toEqual(['libs/cart/src/cart.spec.ts', 'testing/money/index.ts']);
  });

  test('issue 11: extends through a package name in node_modules, with ${configDir}', async () => {
    const sb = await settled();
    appendText(sb, 'apps/admin/src/users.ts', '// changed\n');
    expect(await ran(sb)).toEqual(['apps/admin/src/main.ts', 'apps/admin/src/users.ts']);
    // The package's tsconfig is read for resolution: editing it re-runs the file it resolves for.
    writeText(sb, 'node_modules/@acme/tsconfig-base/tsconfig.json', '{ "compilerOptions": { "strict": true } }\n');
    expect(await ran(sb)).toEqual(['apps/admin/src/main.ts']);
    await sleep(250);
    const noop = await runJson<{ counts: { ran: number }; deps: Record<string, { resolved?: number }> }>(['run'], {
      cwd: sb.tree,
      env: baseEnv(),
    });
    expect(noop.json.counts.ran).toBe(0);
    expect(
      noop.json.deps.javascript?.resolved,
      'the no-op resolved imports again instead of reusing the kept graph',
    ).toBe(0);
  });

  test("issue 11: an extends array: the later tsconfig's paths win", async () => {
    const sb = await settled();
    appendText(sb, 'apps/blog/new/post.ts', '// changed\n');
    expect(await ran(sb)).toEqual(['apps/blog/new/post.ts', 'apps/blog/src/main.ts']);
    appendText(sb, 'apps/blog/old/post.ts', '// changed\n');
    expect(await ran(sb)).toEqual(['apps/blog/old/post.ts']);
  });

  test('issue 11: web/tsconfig.json "@/*" applies to the files it includes, not to docs/ nor to legacy/ it excludes', async () => {
    const sb = await settled();
    appendText(sb, 'web/src/button.ts', '// changed\n');
    expect(await ran(sb)).toEqual(['web/src/app.ts', 'web/src/button.ts']);
    appendText(sb, 'shared/button.ts', '// changed\n');
    expect(await ran(sb)).toEqual(['shared/button.ts', 'web/legacy/old.ts']);
  });

  test('issue 11: "#app" goes through tsconfig paths before package.json "imports"', async () => {
    const sb = await settled();
    appendText(sb, 'web/app-shim.ts', '// changed\n');
    expect(await ran(sb)).toEqual(['web/app-shim.ts', 'web/src/app.ts']);
    appendText(sb, 'web/src/fallback.ts', '// changed\n');
    expect(await ran(sb)).toEqual(['web/src/fallback.ts']);
  });

  test('issue 11: a tsconfig.json saved with a byte order mark is read', async () => {
    const sb = await settled();
    appendText(sb, 'docs/src/button.ts', '// changed\n');
    expect(await ran(sb)).toEqual(['docs/src/button.ts', 'docs/src/page.ts']);
  });
});
