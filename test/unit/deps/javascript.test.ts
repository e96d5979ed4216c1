import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type JsDep,
  type JsImport,
  type JsResolver,
  lexJavaScriptImports,
  parseJsonc,
  resolveJsImport,
  scanJavaScriptImports,
} from '../../../src/deps/javascript.js';
import { parseJavaScriptImports } from '../../../src/deps/javascript-parse.js';
import type { RelPath } from '../../../src/types.js';

const rel = (p: string): RelPath => p as RelPath;
const file = (p: string): JsDep => ({ kind: 'file', path: rel(p) });
const external = (p: string): JsDep => ({ kind: 'external', path: p });
const unresolved = (name: string): JsDep => ({ kind: 'unresolved', name });

describe('resolveJsImport', () => {
  const SRC = '/repo/app';

  /**
   * An in-memory file system: every listed file (its text is the JSON that
   * readJson returns, parsed like the real one), its parent directories, and
   * which in-tree files are tracked (all but node_modules and `untracked`).
   */
  function fakeResolver(files: Record<string, string>, opts: { untracked?: string[] } = {}): JsResolver {
    const dirSet = new Set<string>();
    for (const f of Object.keys(files)) {
      for (let d = path.dirname(f); d !== '/'; d = path.dirname(d)) dirSet.add(d);
    }
    const untracked = new Set(opts.untracked ?? []);
    return {
      sourceTree: SRC,
      isTracked: (p) =>
        Object.hasOwn(files, path.join(SRC, p)) && !p.split('/').includes('node_modules') && !untracked.has(p),
      exists: (abs) => {
        // A specifier may name a path below a file ('./a.ts/x'); stat() fails
        // with ENOTDIR there, which python-graph.ts's exists() reports as null.
        for (let d = path.dirname(abs); d !== '/'; d = path.dirname(d)) {
          if (Object.hasOwn(files, d)) return null;
        }
        return Object.hasOwn(files, abs) ? 'file' : dirSet.has(abs) ? 'dir' : null;
      },
      readJson: (abs) => (Object.hasOwn(files, abs) ? parseJsonc(files[abs] as string) : null),
    };
  }

  const json = (x: unknown): string => JSON.stringify(x);

  it('resolves #name specifiers through the nearest package.json "imports"', () => {
    const r = fakeResolver({
      '/repo/app/package.json': json({
        imports: { '#util': './src/util.ts', '#lib/*': './src/lib/*.ts', '#dep': 'dep' },
      }),
      '/repo/app/src/util.ts': '',
      '/repo/app/src/lib/a.ts': '',
      '/repo/app/src/main.ts': '',
      '/repo/app/node_modules/dep/package.json': json({ main: './index.js' }),
      '/repo/app/node_modules/dep/index.js': '',
    });
    const imp = (specifier: string) => ({ specifier, kind: 'import' as const, line: 1 });
    const from = 'src/main.ts' as RelPath;
    expect(resolveJsImport(imp('#util'), from, r)).toEqual([{ kind: 'file', path: 'src/util.ts' }]);
    expect(resolveJsImport(imp('#lib/a'), from, r)).toEqual([{ kind: 'file', path: 'src/lib/a.ts' }]);
    expect(resolveJsImport(imp('#dep'), from, r)).toEqual([
      { kind: 'external', path: '/repo/app/node_modules/dep/index.js' },
    ]);
    expect(resolveJsImport(imp('#nope'), from, r)).toEqual([{ kind: 'unresolved', name: '#nope' }]);
  });

  const tree = fakeResolver(
    {
      '/repo/app/src/main.ts': '',
      '/repo/app/src/util.ts': '',
      '/repo/app/src/view.tsx': '',
      '/repo/app/src/both.js': '', // and both.ts: Node runs one, tsc checks the other
      '/repo/app/src/both.ts': '',
      '/repo/app/src/typed.js': '', // and its declarations, as a compiled package ships them
      '/repo/app/src/typed.d.ts': '',
      '/repo/app/src/esm-typed.mjs': '',
      '/repo/app/src/esm-typed.d.mts': '',
      '/repo/app/src/cjs-typed.cjs': '',
      '/repo/app/src/cjs-typed.d.cts': '',
      '/repo/app/src/esm.mts': '',
      '/repo/app/src/cjs.cts': '',
      '/repo/app/src/decl.d.ts': '',
      '/repo/app/src/legacy.js': '',
      '/repo/app/src/data.json': '{}',
      '/repo/app/src/style.css': '',
      '/repo/app/src/gen.ts': '', // untracked: generated
      '/repo/app/src/lib/index.ts': '',
      '/repo/app/src/withpkg/package.json': json({ main: './entry.js' }),
      '/repo/app/src/withpkg/entry.js': '',
      '/repo/app/src/withpkg/index.js': '',
      '/repo/app/src/withexports/package.json': json({ exports: { '.': './x.js' }, main: './entry.js' }),
      '/repo/app/src/withexports/x.js': '',
      '/repo/app/src/loop/package.json': json({ main: '.' }),
      '/repo/app/src/loop/index.js': '',
      '/repo/app/shared/helpers.ts': '',
      '/repo/app/tsconfig.json': `{
      // comments and trailing commas, as tsc allows
      "compilerOptions": {
        "baseUrl": ".", /* bare names also resolve from here */
        "paths": {
          "@app/*": ["src/*", "shared/*",],
          "@app/special/*": ["shared/*"],
          "exact": ["src/util.ts"],
          "@ws/core": ["packages/core/src/index.ts"],
        },
      },
    }`,
      '/repo/app/packages/core/package.json': json({ name: '@ws/core', main: 'src/index.ts' }),
      '/repo/app/packages/core/src/index.ts': '',
      // node_modules in the tree: not tracked.
      '/repo/app/node_modules/plain/package.json': json({ main: 'lib/plain.js' }),
      '/repo/app/node_modules/plain/lib/plain.js': '',
      '/repo/app/node_modules/plain/lib/extra.js': '',
      '/repo/app/node_modules/@types/plain/package.json': json({ types: 'index.d.ts' }),
      '/repo/app/node_modules/@types/plain/index.d.ts': '',
      '/repo/app/node_modules/@types/only-types/index.d.ts': '',
      '/repo/app/node_modules/@types/scoped__lib/index.d.ts': '',
      '/repo/app/src/nested/node_modules/untyped/index.js': '',
      '/repo/node_modules/@types/untyped/index.d.ts': '',
      '/repo/app/node_modules/noindex/index.js': '', // no package.json
      '/repo/app/node_modules/@scope/pkg/package.json': json({
        exports: {
          '.': {
            types: './dist/index.d.ts',
            import: './dist/index.mjs',
            require: './dist/index.cjs',
            default: './dist/index.mjs',
          },
          './feature/*': { import: './dist/feature/*.mjs', default: './dist/feature/*.js' },
          './feature/special': './dist/special.js',
          './missing': './dist/missing.js', // names no file
          './internal/*': null,
          './package.json': './package.json',
        },
      }),
      '/repo/app/node_modules/@scope/pkg/dist/index.d.ts': '',
      '/repo/app/node_modules/@scope/pkg/dist/index.mjs': '',
      '/repo/app/node_modules/@scope/pkg/dist/index.cjs': '',
      '/repo/app/node_modules/@scope/pkg/dist/feature/a.mjs': '',
      '/repo/app/node_modules/@scope/pkg/dist/feature/b.js': '',
      '/repo/app/node_modules/@scope/pkg/dist/special.js': '',
      '/repo/app/node_modules/@scope/pkg/dist/internal/x.js': '',
      '/repo/app/node_modules/str/package.json': json({ exports: './main.js', main: './old.js' }),
      '/repo/app/node_modules/str/main.js': '',
      '/repo/app/node_modules/str/old.js': '',
      '/repo/app/node_modules/cond/package.json': json({ exports: { node: './node.js', default: './browser.js' } }),
      '/repo/app/node_modules/cond/node.js': '',
      '/repo/app/node_modules/cond/browser.js': '',
      '/repo/app/node_modules/fallback/package.json': json({
        exports: { import: './gone.mjs', default: ['./also-gone.js', './here.js'] },
      }),
      '/repo/app/node_modules/fallback/here.js': '',
      '/repo/app/node_modules/typed/package.json': json({ types: './typed.d.ts', main: './typed.js' }),
      '/repo/app/node_modules/typed/typed.d.ts': '',
      '/repo/app/node_modules/typed/typed.js': '',
      '/repo/app/node_modules/compiled/package.json': json({ main: './dist/index.js' }), // no "types": tsc finds the .d.ts beside main
      '/repo/app/node_modules/compiled/dist/index.js': '',
      '/repo/app/node_modules/compiled/dist/index.d.ts': '',
      // A workspace package linked into node_modules (npm workspaces).
      '/repo/app/node_modules/@ws/util/package.json': json({ name: '@ws/util', exports: './src/index.ts' }),
      '/repo/app/node_modules/@ws/util/src/index.ts': '',
      // Nearer node_modules shadow farther ones.
      '/repo/app/src/nested/node_modules/plain/package.json': json({ main: 'near.js' }),
      '/repo/app/src/nested/node_modules/plain/near.js': '',
      '/repo/app/src/nested/deep.js': '',
      // Above the source tree: Node keeps searching there.
      '/repo/node_modules/hoisted/package.json': json({ main: 'h.js' }),
      '/repo/node_modules/hoisted/h.js': '',
    },
    { untracked: ['src/gen.ts'] },
  );

  const imp = (specifier: string, kind: JsImport['kind'] = 'import'): JsImport => ({ specifier, kind, line: 1 });
  const NM = '/repo/app/node_modules';

  const rows: [string, JsImport, string, JsDep[]][] = [
    // Relative specifiers.
    ['an exact file', imp('./style.css'), 'src/main.ts', [file('src/style.css')]],
    ['an extension is added in TypeScript order', imp('./util'), 'src/main.ts', [file('src/util.ts')]],
    ['.tsx is found without an extension', imp('./view'), 'src/main.ts', [file('src/view.tsx')]],
    ['.d.ts is found without an extension', imp('./decl'), 'src/main.ts', [file('src/decl.d.ts')]],
    ['.json is found without an extension', imp('./data'), 'src/main.ts', [file('src/data.json')]],
    ['a .js specifier names its .ts source', imp('./util.js'), 'src/main.ts', [file('src/util.ts')]],
    ['a .js specifier names its .tsx source', imp('./view.js'), 'src/main.ts', [file('src/view.tsx')]],
    ['a .mjs specifier names its .mts source', imp('./esm.mjs'), 'src/main.ts', [file('src/esm.mts')]],
    ['a .cjs specifier names its .cts source', imp('./cjs.cjs'), 'src/main.ts', [file('src/cjs.cts')]],
    // issue 11: sibling sources. Node loads the .js file; tsc checks the .ts or .d.ts beside it (confirmed with tsc --traceResolution).
    [
      'issue 11: a .js specifier beside its .ts source is both, from a TypeScript file',
      imp('./both.js'),
      'src/main.ts',
      [file('src/both.js'), file('src/both.ts')],
    ],
    [
      'issue 11: an extensionless specifier with .js and .ts is both, from a TypeScript file',
      imp('./both'),
      'src/main.ts',
      [file('src/both.js'), file('src/both.ts')],
    ],
    [
      'issue 11: a .js specifier beside its .ts source is both from a JavaScript file too (tsc checks it under checkJs)',
      imp('./both.js'),
      'src/main.js',
      [file('src/both.js'), file('src/both.ts')],
    ],
    [
      'issue 11: .js beside .d.ts is both',
      imp('./typed.js'),
      'src/main.ts',
      [file('src/typed.js'), file('src/typed.d.ts')],
    ],
    [
      'issue 11: .js beside .d.ts without an extension is both',
      imp('./typed'),
      'src/main.ts',
      [file('src/typed.js'), file('src/typed.d.ts')],
    ],
    [
      'issue 11: .mjs beside .d.mts is both',
      imp('./esm-typed.mjs'),
      'src/main.ts',
      [file('src/esm-typed.mjs'), file('src/esm-typed.d.mts')],
    ],
    [
      'issue 11: .cjs beside .d.cts is both',
      imp('./cjs-typed.cjs'),
      'src/main.ts',
      [file('src/cjs-typed.cjs'), file('src/cjs-typed.d.cts')],
    ],
    [
      'issue 11: a type import of .js beside .d.ts is the .d.ts only',
      imp('./typed.js', 'type'),
      'src/main.ts',
      [file('src/typed.d.ts')],
    ],
    ['a plain .js file from a .js file', imp('./legacy.js'), 'src/main.js', [file('src/legacy.js')]],
    ['../ climbs directories', imp('../shared/helpers.js'), 'src/main.ts', [file('shared/helpers.ts')]],
    ['a directory gives its index', imp('./lib'), 'src/main.ts', [file('src/lib/index.ts')]],
    ['a directory gives its package.json main', imp('./withpkg'), 'src/main.js', [file('src/withpkg/entry.js')]],
    ['a directory\'s exports["."] beats main', imp('./withexports'), 'src/main.js', [file('src/withexports/x.js')]],
    ['"main": "." falls back to index instead of looping', imp('./loop'), 'src/main.js', [file('src/loop/index.js')]],
    ['an untracked file is external', imp('./gen'), 'src/main.ts', [external('/repo/app/src/gen.ts')]],
    ['a missing relative file is unresolved', imp('./nope'), 'src/main.ts', [unresolved('./nope')]],
    ['a relative path below a file is unresolved', imp('./util.ts/x'), 'src/main.ts', [unresolved('./util.ts/x')]],
    // Builtins.
    ['node:fs is a builtin', imp('node:fs'), 'src/main.ts', []],
    ['fs is a builtin', imp('fs'), 'src/main.ts', []],
    ['fs/promises is a builtin', imp('fs/promises', 'require'), 'src/main.js', []],
    // Bare specifiers in node_modules.
    [
      'package.json main, and its types from @types beside it',
      imp('plain'),
      'src/main.js',
      [external(`${NM}/plain/lib/plain.js`), external(`${NM}/@types/plain/index.d.ts`)],
    ],
    [
      'issue 11: a type import of a package without types is @types/name',
      imp('plain', 'type'),
      'src/main.ts',
      [external(`${NM}/@types/plain/index.d.ts`)],
    ],
    [
      'issue 11: a package only @types provides',
      imp('only-types'),
      'src/main.ts',
      [external(`${NM}/@types/only-types/index.d.ts`)],
    ],
    [
      'issue 11: @types farther up beats a JavaScript-only package nearer, for types (tsc looks for declarations first)',
      imp('untyped'),
      'src/nested/deep.ts',
      [
        external('/repo/app/src/nested/node_modules/untyped/index.js'),
        external('/repo/node_modules/@types/untyped/index.d.ts'),
      ],
    ],
    [
      'issue 11: @scope/name is @types/scope__name',
      imp('@scoped/lib'),
      'src/main.ts',
      [external(`${NM}/@types/scoped__lib/index.d.ts`)],
    ],
    [
      'a subpath without exports is a file path',
      imp('plain/lib/extra'),
      'src/main.js',
      [external(`${NM}/plain/lib/extra.js`)],
    ],
    ['index without a package.json', imp('noindex'), 'src/main.js', [external(`${NM}/noindex/index.js`)]],
    [
      'exports "import" and "types" for an import',
      imp('@scope/pkg'),
      'src/main.js',
      [external(`${NM}/@scope/pkg/dist/index.mjs`), external(`${NM}/@scope/pkg/dist/index.d.ts`)],
    ],
    [
      'exports "require" and "types" for require()',
      imp('@scope/pkg', 'require'),
      'src/main.js',
      [external(`${NM}/@scope/pkg/dist/index.cjs`), external(`${NM}/@scope/pkg/dist/index.d.ts`)],
    ],
    [
      'exports "types" and "import" for a TypeScript file',
      imp('@scope/pkg'),
      'src/main.ts',
      [external(`${NM}/@scope/pkg/dist/index.mjs`), external(`${NM}/@scope/pkg/dist/index.d.ts`)],
    ],
    [
      'exports "types" only for a type import',
      imp('@scope/pkg', 'type'),
      'src/main.ts',
      [external(`${NM}/@scope/pkg/dist/index.d.ts`)],
    ],
    [
      'issue 11: exports "types" only for any import of a declaration file',
      imp('@scope/pkg'),
      'src/main.d.ts',
      [external(`${NM}/@scope/pkg/dist/index.d.ts`)],
    ],
    [
      'issue 11: package.json "types" only for a followed declaration file',
      imp('typed'),
      `${NM}/other/index.d.mts`,
      [external(`${NM}/typed/typed.d.ts`)],
    ],
    [
      'an exports pattern with *',
      imp('@scope/pkg/feature/a'),
      'src/main.js',
      [external(`${NM}/@scope/pkg/dist/feature/a.mjs`)],
    ],
    [
      'an exports pattern falls to "default" when the "import" file is missing',
      imp('@scope/pkg/feature/b'),
      'src/main.js',
      [external(`${NM}/@scope/pkg/dist/feature/b.js`)],
    ],
    [
      'an exact exports key beats a pattern',
      imp('@scope/pkg/feature/special'),
      'src/main.js',
      [external(`${NM}/@scope/pkg/dist/special.js`)],
    ],
    [
      'an exports target naming no file is unresolved',
      imp('@scope/pkg/missing'),
      'src/main.js',
      [unresolved('@scope/pkg/missing')],
    ],
    [
      'a null exports target is unresolved',
      imp('@scope/pkg/internal/x'),
      'src/main.js',
      [unresolved('@scope/pkg/internal/x')],
    ],
    [
      'a subpath not in exports still resolves as a file path (more lenient than Node)',
      imp('@scope/pkg/dist/index.mjs'),
      'src/main.js',
      [external(`${NM}/@scope/pkg/dist/index.mjs`)],
    ],
    ['exports as a string beats main', imp('str'), 'src/main.js', [external(`${NM}/str/main.js`)]],
    [
      'a top-level conditions object, first active key in object order',
      imp('cond'),
      'src/main.js',
      [external(`${NM}/cond/node.js`)],
    ],
    [
      'a missing condition target falls through to the next, arrays in order',
      imp('fallback'),
      'src/main.js',
      [external(`${NM}/fallback/here.js`)],
    ],
    [
      'package.json "types" for a TypeScript file, "main" at run time',
      imp('typed'),
      'src/main.ts',
      [external(`${NM}/typed/typed.js`), external(`${NM}/typed/typed.d.ts`)],
    ],
    [
      'issue 11: "main" beside its .d.ts is both for a TypeScript file',
      imp('compiled'),
      'src/main.ts',
      [external(`${NM}/compiled/dist/index.js`), external(`${NM}/compiled/dist/index.d.ts`)],
    ],
    [
      'issue 11: "types" is read for a JavaScript file too (checkJs)',
      imp('typed'),
      'src/main.js',
      [external(`${NM}/typed/typed.js`), external(`${NM}/typed/typed.d.ts`)],
    ],
    [
      'the nearest node_modules wins (its types come from @types farther up)',
      imp('plain'),
      'src/nested/deep.js',
      [external('/repo/app/src/nested/node_modules/plain/near.js'), external(`${NM}/@types/plain/index.d.ts`)],
    ],
    [
      'a package missing nearby is found farther up',
      imp('noindex'),
      'src/nested/deep.js',
      [external(`${NM}/noindex/index.js`)],
    ],
    [
      'node_modules above the source tree',
      imp('hoisted'),
      'src/main.js',
      [external('/repo/node_modules/hoisted/h.js')],
    ],
    [
      'a workspace package linked into node_modules',
      imp('@ws/util'),
      'src/main.ts',
      [external(`${NM}/@ws/util/src/index.ts`)],
    ],
    ['a missing package is unresolved', imp('left-pad'), 'src/main.js', [unresolved('left-pad')]],
    ['a scope alone is unresolved', imp('@scope'), 'src/main.js', [unresolved('@scope')]],
    // tsconfig paths and baseUrl.
    ['a paths pattern, first target', imp('@app/util'), 'src/main.ts', [file('src/util.ts')]],
    [
      'a paths pattern, second target when the first has no file',
      imp('@app/helpers'),
      'src/main.ts',
      [file('shared/helpers.ts')],
    ],
    [
      'the paths pattern with the longest prefix wins',
      imp('@app/special/helpers'),
      'src/main.ts',
      [file('shared/helpers.ts')],
    ],
    ['an exact paths pattern', imp('exact'), 'src/main.ts', [file('src/util.ts')]],
    [
      'a workspace package through paths is a tracked file',
      imp('@ws/core'),
      'src/main.ts',
      [file('packages/core/src/index.ts')],
    ],
    ['a bare name from baseUrl', imp('shared/helpers'), 'src/main.ts', [file('shared/helpers.ts')]],
    ['a paths pattern with no file is unresolved', imp('@app/nothing'), 'src/main.ts', [unresolved('@app/nothing')]],
  ];

  it.each(rows)('%s', (_name, i, from, expected) => {
    expect(resolveJsImport(i, rel(from), tree)).toEqual(expected);
  });

  it('works without a tsconfig.json: paths names are then bare packages', () => {
    const r = fakeResolver({
      '/repo/app/src/main.ts': '',
      '/repo/app/src/util.ts': '',
      '/repo/app/node_modules/@app/util/index.js': '',
    });
    expect(resolveJsImport(imp('@app/util'), rel('src/main.ts'), r)).toEqual([external(`${NM}/@app/util/index.js`)]);
    expect(resolveJsImport(imp('src/util'), rel('src/main.ts'), r)).toEqual([unresolved('src/util')]);
  });

  it('paths without baseUrl start at the tsconfig directory', () => {
    const r = fakeResolver({
      '/repo/app/tsconfig.json': json({ compilerOptions: { paths: { '~/*': ['./src/*'] } } }),
      '/repo/app/src/main.ts': '',
      '/repo/app/src/util.ts': '',
    });
    expect(resolveJsImport(imp('~/util.js'), rel('src/main.ts'), r)).toEqual([file('src/util.ts')]);
    // No baseUrl: a bare name is not looked up from the tree root.
    expect(resolveJsImport(imp('src/util'), rel('src/main.ts'), r)).toEqual([unresolved('src/util')]);
  });

  it('issue 11: a workspace package linked into node_modules is the tracked file behind the link', () => {
    const r = fakeResolver({
      '/repo/app/packages/app/src/main.ts': '',
      '/repo/app/packages/lib/package.json': json({ name: '@ws/lib', exports: './src/index.ts' }),
      '/repo/app/packages/lib/src/index.ts': '',
      // What node_modules/@ws/lib -> ../../packages/lib shows through the link.
      '/repo/app/node_modules/@ws/lib/package.json': json({ name: '@ws/lib', exports: './src/index.ts' }),
      '/repo/app/node_modules/@ws/lib/src/index.ts': '',
    });
    const linked: JsResolver = { ...r, realpath: (abs) => abs.replace(`${NM}/@ws/lib/`, '/repo/app/packages/lib/') };
    expect(resolveJsImport(imp('@ws/lib'), rel('packages/app/src/main.ts'), linked)).toEqual([
      file('packages/lib/src/index.ts'),
    ]);
    // Without a real path (preserveSymlinks), it would be an outside file whose imports nobody reads.
    expect(resolveJsImport(imp('@ws/lib'), rel('packages/app/src/main.ts'), r)).toEqual([
      external(`${NM}/@ws/lib/src/index.ts`),
    ]);
  });

  it('issue 11: a package imports itself by its own name through its exports', () => {
    const r = fakeResolver({
      '/repo/app/packages/lib/package.json': json({
        name: '@ws/lib',
        exports: { '.': './src/index.ts', './util': './src/util.ts' },
      }),
      '/repo/app/packages/lib/src/index.ts': '',
      '/repo/app/packages/lib/src/util.ts': '',
      '/repo/app/packages/lib/test/index.test.ts': '',
      // The nearest package.json decides, even without a name.
      '/repo/app/packages/lib/fixtures/package.json': json({ type: 'module' }),
      '/repo/app/packages/lib/fixtures/use.ts': '',
      // A name without exports is no self-reference (Node and tsc require exports).
      '/repo/app/packages/old/package.json': json({ name: 'old', main: './index.js' }),
      '/repo/app/packages/old/index.js': '',
      '/repo/app/packages/old/test.js': '',
    });
    const from = rel('packages/lib/test/index.test.ts');
    expect(resolveJsImport(imp('@ws/lib'), from, r)).toEqual([file('packages/lib/src/index.ts')]);
    expect(resolveJsImport(imp('@ws/lib/util'), from, r)).toEqual([file('packages/lib/src/util.ts')]);
    expect(resolveJsImport(imp('@ws/lib/nope'), from, r)).toEqual([unresolved('@ws/lib/nope')]);
    expect(resolveJsImport(imp('@ws/lib'), rel('packages/lib/fixtures/use.ts'), r)).toEqual([unresolved('@ws/lib')]);
    expect(resolveJsImport(imp('old'), rel('packages/old/test.js'), r)).toEqual([unresolved('old')]);
  });

  it('a tracked file inside node_modules of the tree is a file', () => {
    const r = fakeResolver({ '/repo/app/src/main.js': '', '/repo/app/vendor/node_modules/v/index.js': '' });
    const tracked: JsResolver = { ...r, isTracked: () => true };
    expect(resolveJsImport(imp('v'), rel('vendor/main.js'), tracked)).toEqual([file('vendor/node_modules/v/index.js')]);
  });
});

describe('parseJsonc', () => {
  it.each([
    ['plain JSON', '{"a": [1, 2]}', { a: [1, 2] }],
    ['line and block comments', '{\n // c\n "a": /* x */ 1\n}', { a: 1 }],
    ['trailing commas in objects and arrays', '{"a": [1, 2,], "b": {"c": 3,},}', { a: [1, 2], b: { c: 3 } }],
    [
      'comment markers and commas inside strings survive',
      '{"u": "http://x/*y*/", "s": ",]", "q": "a\\"//b"}',
      { u: 'http://x/*y*/', s: ',]', q: 'a"//b' },
    ],
    ['not JSON', '{a: 1}', null],
    ['an unterminated comment', '{"a": 1} /* x', { a: 1 }],
  ])('%s', (_name, text, expected) => {
    expect(parseJsonc(text)).toEqual(expected);
  });
});

describe('scanJavaScriptImports', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-js-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function scan(
    files: Record<string, string>,
  ): Promise<Map<RelPath, { imports: JsImport[]; error: string | null }>> {
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    return scanJavaScriptImports(dir, Object.keys(files).map(rel));
  }

  it('reports every ES import form with its kind and line', async () => {
    const result = await scan({
      'a.mjs': [
        "import def from './default.js';",
        "import * as ns from './ns.js';",
        "import { x, y as z } from 'pkg';",
        "import './side-effect.css';",
        "import data from './data.json' with { type: 'json' };",
        "export { a } from './reexport.js';",
        "export * from './star.js';",
        "export * as all from './star-as.js';",
        'export const local = 1;',
        "import { a as b } from './detached.js'; export { b };",
        "const lazy = import('./lazy.js');",
        'const lazy2 = await import(`./template.js`);',
        "// import './commented.js'",
        'const s = "import \'./in-string.js\'";',
      ].join('\n'),
    });
    expect(result.get(rel('a.mjs'))).toEqual({
      error: null,
      imports: [
        { specifier: './default.js', kind: 'import', line: 1 },
        { specifier: './ns.js', kind: 'import', line: 2 },
        { specifier: 'pkg', kind: 'import', line: 3 },
        { specifier: './side-effect.css', kind: 'import', line: 4 },
        { specifier: './data.json', kind: 'import', line: 5 },
        { specifier: './reexport.js', kind: 'export', line: 6 },
        { specifier: './star.js', kind: 'export', line: 7 },
        { specifier: './star-as.js', kind: 'export', line: 8 },
        { specifier: './detached.js', kind: 'import', line: 10 },
        { specifier: './lazy.js', kind: 'dynamic', line: 11 },
        { specifier: './template.js', kind: 'dynamic', line: 12 },
      ],
    });
  });

  it('ignores dynamic imports without a literal argument', async () => {
    const result = await scan({
      'd.js': [
        'const a = import(name);',
        "const b = import('./prefix/' + name);",
        'const c = import(`./locales/${lang}.js`);',
        "const d = import('./literal.js', { with: { type: 'json' } });",
        'const m = import.meta.url;',
      ].join('\n'),
    });
    expect(result.get(rel('d.js'))).toEqual({
      error: null,
      imports: [{ specifier: './literal.js', kind: 'dynamic', line: 4 }],
    });
  });

  it('reports TypeScript type-only imports and exports as type', async () => {
    const result = await scan({
      'm.ts': [
        "import type { A } from './types-a.js';",
        "import { type B, c } from './mixed.js';",
        "export type { D } from './types-d.js';",
        "export type * from './types-star.js';",
        "import E = require('./import-equals');",
        "type T = typeof import('./type-query.js');",
        'interface I { x: number }',
        'export function f<T extends object>(x: T): T { return x as T; }',
        "const v = await import('./runtime.js');",
      ].join('\n'),
    });
    expect(result.get(rel('m.ts'))).toEqual({
      error: null,
      imports: [
        { specifier: './types-a.js', kind: 'type', line: 1 },
        { specifier: './mixed.js', kind: 'import', line: 2 },
        { specifier: './types-d.js', kind: 'type', line: 3 },
        { specifier: './types-star.js', kind: 'type', line: 4 },
        { specifier: './import-equals', kind: 'import', line: 5 },
        { specifier: './runtime.js', kind: 'dynamic', line: 9 },
      ],
    });
  });

  it('reports CommonJS require() calls with a literal argument, lexed like code', async () => {
    const result = await scan({
      'c.cjs': [
        '#!/usr/bin/env node',
        "const a = require('./a');",
        'const { b } = require ("b-pkg");',
        'const c = require(`./c.json`);',
        "module.exports = require('./reexported');",
        'const dyn = require(name);',
        'const glob = require(`./x/${n}`);',
        "const notCall = obj.require('./member');",
        "const myrequire = (x) => x; myrequire('./other-name');",
        "class K { #require(x) { return x; } m() { return this.#require('./private'); } }",
        "// require('./in-comment')",
        'const s = "require(\'./in-string\')";',
        "const t = `require('./in-template')`;",
        "const r = /require\\('.\\/in-regex'\\)/; const r2 = /require('in-regex')/;",
        "if (x) { require('./nested'); }",
        "const resolved = require.resolve('./resolve-only');",
      ].join('\n'),
    });
    expect(result.get(rel('c.cjs'))).toEqual({
      error: null,
      imports: [
        { specifier: './a', kind: 'require', line: 2 },
        { specifier: 'b-pkg', kind: 'require', line: 3 },
        { specifier: './c.json', kind: 'require', line: 4 },
        { specifier: './reexported', kind: 'require', line: 5 },
        { specifier: './nested', kind: 'require', line: 15 },
      ],
    });
  });

  it('lexes .tsx and .jsx files whose only JSX is self-closing elements, and TS generic arrows', async () => {
    const result = await scan({
      'v.tsx': [
        "import { useState } from 'react';",
        "import type { Props } from './props';",
        'export const identity = <T,>(x: T): T => x;',
        'export const Logo = (p: Props) => <Image src="/logo.png" {...p} />;',
        "const Page = import('./page');",
      ].join('\n'),
      'w.jsx': [
        "import React from 'react';",
        'export const Img = () => <img src=\'./logo.png\' alt="logo" />;',
        "const Lazy = import('./lazy');",
      ].join('\n'),
    });
    expect(result.get(rel('v.tsx'))).toEqual({
      error: null,
      imports: [
        { specifier: 'react', kind: 'import', line: 1 },
        { specifier: './props', kind: 'type', line: 2 },
        { specifier: './page', kind: 'dynamic', line: 5 },
      ],
    });
    expect(result.get(rel('w.jsx'))).toEqual({
      error: null,
      imports: [
        { specifier: 'react', kind: 'import', line: 1 },
        { specifier: './lazy', kind: 'dynamic', line: 3 },
      ],
    });
  });

  it('reads .tsx and .jsx files with closing tags and fragments by a full parse', async () => {
    const result = await scan({
      'closing-tag.tsx': "import { f } from './f';\nexport const C = () => <b>{f()}</b>;\n",
      'empty-element.jsx': "import React from 'react';\nexport const C = () => <div></div>;\n",
      'fragment.jsx': "import React from 'react';\nexport const C = () => <>text</>;\n",
    });
    expect(result.get(rel('closing-tag.tsx'))).toEqual({
      error: null,
      imports: [{ specifier: './f', kind: 'import', line: 1 }],
    });
    for (const name of ['empty-element.jsx', 'fragment.jsx']) {
      expect(result.get(rel(name))).toEqual({
        error: null,
        imports: [{ specifier: 'react', kind: 'import', line: 1 }],
      });
    }
  });

  it('finds every kind of import in a file only the full parse reads, in source order', async () => {
    const result = await scan({
      'all.tsx': [
        "import type { Props } from './props';",
        "import { up } from '../lib/strings';",
        "import legacy = require('./legacy');",
        "export { x } from './x';",
        "export * from './star';",
        "export type { T } from './types';",
        "type Lazy = typeof import('./lazy-type');",
        "const lazy = import('./page');",
        'const cjs = require(`./cjs`);',
        'const dyn = require(name); const glob = import(`./${name}`);',
        "const notCall = obj.require('./member');",
        "// import './commented';",
        'const text = \'require("./in-string")\';',
        'export const View = (p: Props) => <div title="</b>">{up(p.name)}</div>;',
      ].join('\n'),
    });
    expect(result.get(rel('all.tsx'))).toEqual({
      error: null,
      imports: [
        { specifier: './props', kind: 'type', line: 1 },
        { specifier: '../lib/strings', kind: 'import', line: 2 },
        { specifier: './legacy', kind: 'import', line: 3 },
        { specifier: './x', kind: 'export', line: 4 },
        { specifier: './star', kind: 'export', line: 5 },
        { specifier: './types', kind: 'type', line: 6 },
        { specifier: './lazy-type', kind: 'type', line: 7 },
        { specifier: './page', kind: 'dynamic', line: 8 },
        { specifier: './cjs', kind: 'require', line: 9 },
      ],
    });
  });

  it('the full parse reads .ts without JSX (angle-bracket casts) and .cjs as CommonJS (top-level return)', () => {
    expect(parseJavaScriptImports("import { a } from './a';\nconst n = <number>a;\n", 'cast.ts')).toEqual({
      error: null,
      imports: [{ specifier: './a', kind: 'import', line: 1 }],
    });
    expect(parseJavaScriptImports("const a = require('./a');\nif (!a) return;\n", 'early.cjs')).toEqual({
      error: null,
      imports: [{ specifier: './a', kind: 'require', line: 1 }],
    });
    expect(parseJavaScriptImports('const n = <number>a;\n', 'cast.tsx').error).toMatch(
      /^cannot parse: .*\(line \d+\)$/,
    );
  });

  it('a file with a syntax error gets an error and no imports; the other files are still scanned', async () => {
    const result = await scan({
      'bad.js': "import './before.js';\nfoo(`unterminated\n",
      'good.js': "import './fine.js';\n",
    });
    const bad = result.get(rel('bad.js'));
    expect(bad?.imports).toEqual([]);
    // Neither reader can: the lexer's and the parser's complaints, both with the line.
    expect(bad?.error).toMatch(/^cannot lex: Parse error .*\(line \d+\); cannot parse: .*\(line 2\)$/);
    expect(result.get(rel('good.js'))).toEqual({
      error: null,
      imports: [{ specifier: './fine.js', kind: 'import', line: 1 }],
    });
  });

  it('a file that cannot be read gets an error', async () => {
    fs.mkdirSync(path.join(dir, 'adir.js'));
    const result = await scanJavaScriptImports(dir, [rel('missing.js'), rel('adir.js')]);
    expect(result.get(rel('missing.js'))?.error).toMatch(/^cannot read: ENOENT/);
    expect(result.get(rel('adir.js'))?.error).toMatch(/^cannot read: EISDIR/);
    expect(result.get(rel('missing.js'))?.imports).toEqual([]);
  });

  it('a byte order mark does not hide the imports', async () => {
    const result = await scan({ 'bom.ts': "\uFEFFimport './a.js';\r\nimport './b.js';\r\n" });
    expect(result.get(rel('bom.ts'))).toEqual({
      error: null,
      imports: [
        { specifier: './a.js', kind: 'import', line: 1 },
        { specifier: './b.js', kind: 'import', line: 2 },
      ],
    });
  });

  it('an empty list scans nothing', async () => {
    expect((await scanJavaScriptImports(dir, [])).size).toBe(0);
  });
});

describe('issue 11: declare module is an edge to what it augments', () => {
  const rows: { name: string; text: string; specifiers: string[] }[] = [
    {
      name: 'an augmentation of a relative module in a module',
      text: "import './a';\ndeclare module './x' {\n  export interface Foo { a: string }\n}\n",
      specifiers: ['./a', './x'],
    },
    {
      name: 'an augmentation of a package in a module',
      text: "export {};\ndeclare module 'pkg' { interface A {} }\n",
      specifiers: ['pkg'],
    },
    {
      name: 'no space before the quote, double quotes',
      text: 'export {}; declare   module"./q"{}\n',
      specifiers: ['./q'],
    },
    {
      name: 'export = makes a module',
      text: "declare module 'pkg' { interface A {} }\nexport = Foo;\n",
      specifiers: ['pkg'],
    },
    {
      name: 'an ambient module in a script resolves nothing',
      text: "declare module 'ambient' { export const x: number; }\n",
      specifiers: [],
    },
    {
      name: 'a relative name in a script is still an edge',
      text: "declare module './rel' {}\n",
      specifiers: ['./rel'],
    },
    {
      name: 'a pattern names no file',
      text: "export {};\ndeclare module '*.svg' { const s: string; export default s; }\n",
      specifiers: [],
    },
    {
      name: 'namespaces and identifiers are not modules',
      text: 'export {};\ndeclare namespace Foo {}\ndeclare module Foo.Bar {}\nx.declare;\n',
      specifiers: [],
    },
    {
      name: 'comments and strings are not code',
      text: "export {};\n// declare module './c'\n/* declare module './d' */\nconst s = \"declare module './e'\";\nconst t = `declare module './f'`;\n",
      specifiers: [],
    },
    {
      name: 'the tail of a longer word is not the keyword',
      text: "export {};\nmydeclare module './u'\n",
      specifiers: [],
    },
    {
      name: 'a line break after declare is no declaration',
      text: "export {};\ndeclare\nmodule './n' {}\n",
      specifiers: [],
    },
  ];

  it.each(rows)('es-module-lexer: $name', async ({ text, specifiers }) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-js-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.d.ts'), text);
      const found = (await scanJavaScriptImports(dir, [rel('a.d.ts')])).get(rel('a.d.ts'))!;
      expect(found.error).toBeNull();
      expect(found.imports.map((i) => i.specifier)).toEqual(specifiers);
      for (const i of found.imports)
        if (specifiers.includes(i.specifier) && i.specifier !== './a') expect(i.kind).toBe('type');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(rows.filter((r) => !r.name.startsWith('the tail') && !r.name.startsWith('a line break')))(
    '@babel/parser: $name',
    ({ text, specifiers }) => {
      const found = parseJavaScriptImports(text, 'a.ts');
      expect(found.error).toBeNull();
      expect(found.imports.map((i) => i.specifier)).toEqual(specifiers);
    },
  );

  it('reports the line of the declaration', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-js-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'aug.ts'),
        "import { A } from './a';\n\n\ndeclare module './a' {\n  interface A { extra: number }\n}\n",
      );
      expect((await scanJavaScriptImports(dir, [rel('aug.ts')])).get(rel('aug.ts'))).toEqual({
        error: null,
        imports: [
          { specifier: './a', kind: 'import', line: 1 },
          { specifier: './a', kind: 'type', line: 4 },
        ],
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('issue 11: a /// <reference path> directive is an edge to the file it names', () => {
  const rows: { name: string; text: string; specifiers: string[] }[] = [
    {
      name: 'a bare name is relative to the file',
      text: '/// <reference path="globals.d.ts" />\nexport {};\n',
      specifiers: ['./globals.d.ts'],
    },
    {
      name: 'relative paths and single quotes',
      text: '/// <reference path=\'../types/a.d.ts\'/>\n///<reference path="./b.d.ts" />\n',
      specifiers: ['../types/a.d.ts', './b.d.ts'],
    },
    {
      name: 'types and lib name no file of the tree',
      text: '/// <reference types="node" />\n/// <reference lib="es2020" />\n',
      specifiers: [],
    },
    {
      name: 'in line order among the imports',
      text: "import './a';\n/// <reference path=\"./r.d.ts\" />\nimport './b';\n",
      specifiers: ['./a', './r.d.ts', './b'],
    },
    {
      name: 'not after code on the same line',
      text: 'const x = 1; /// <reference path="./no.d.ts" />\n',
      specifiers: [],
    },
  ];

  it.each(rows)('$name', ({ text, specifiers }) => {
    const found = lexJavaScriptImports(text, 'a.ts');
    expect(found.error).toBeNull();
    expect(found.imports.map((i) => i.specifier)).toEqual(specifiers);
    expect(found.imports.filter((i) => i.specifier.includes('.d.ts')).every((i) => i.kind === 'type')).toBe(true);
  });

  it('is read where the lexer gives up and the full parse reads the file', () => {
    const found = lexJavaScriptImports(
      '/// <reference path="./jsx.d.ts" />\nexport const A = () => <div>{1}</div>;\n',
      'a.tsx',
    );
    expect(found).toEqual({ error: null, imports: [{ specifier: './jsx.d.ts', kind: 'type', line: 1 }] });
  });
});
