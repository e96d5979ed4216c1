// The tsconfig a file is compiled under and the paths it gives (src/deps/tsconfig.ts),
// over an in-memory resolver. Rows follow TypeScript 5.9 (the package and include rows
// were run through tsc --showConfig / --listFilesOnly), except the last few: runner's rules.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type JsResolver, parseJsonc, resolveJsImport } from '../../../src/deps/javascript.js';
import { type TsPaths, tsPathsFor } from '../../../src/deps/tsconfig.js';
import type { RelPath } from '../../../src/types.js';

const SRC = '/repo/app';

/** An in-memory file system: every listed file (JSON text for readJson) and its parent directories; it counts reads. */
function fakeResolver(files: Record<string, string>): JsResolver & { reads: string[] } {
  const dirs = new Set<string>();
  for (const f of Object.keys(files)) {
    for (let d = path.dirname(f); d !== '/'; d = path.dirname(d)) dirs.add(d);
  }
  const reads: string[] = [];
  return {
    sourceTree: SRC,
    reads,
    isTracked: (p) => Object.hasOwn(files, path.join(SRC, p)) && !p.split('/').includes('node_modules'),
    exists: (abs) => (Object.hasOwn(files, abs) ? 'file' : dirs.has(abs) ? 'dir' : null),
    readJson: (abs) => {
      reads.push(abs);
      return Object.hasOwn(files, abs) ? parseJsonc(files[abs] as string) : null;
    },
  };
}

const json = (x: unknown): string => JSON.stringify(x);
const at = (rel: string): string => path.join(SRC, rel);
/** TsPaths with directories given relative to the source tree. */
const ts = (pathsBase: string, paths: Record<string, string[]>, baseUrl: string | null = null): TsPaths => ({
  baseUrl: baseUrl === null ? null : at(baseUrl),
  pathsBase: at(pathsBase),
  paths: Object.entries(paths),
});
const paths = (p: Record<string, string[]>): string => json({ compilerOptions: { paths: p } });

describe('tsPathsFor: the tsconfig a file is compiled under, and its paths', () => {
  const rows: [name: string, files: Record<string, string>, from: string, expected: TsPaths | null][] = [
    ['no tsconfig: none', {}, 'src/a.ts', null],
    [
      'a tsconfig without paths or baseUrl: none',
      { 'tsconfig.json': json({ compilerOptions: { strict: true } }) },
      'src/a.ts',
      null,
    ],
    [
      'paths without baseUrl start at the declaring tsconfig',
      { 'tsconfig.json': paths({ '@/*': ['./src/*'] }) },
      'src/a.ts',
      ts('.', { '@/*': ['./src/*'] }),
    ],
    [
      'paths with baseUrl start at baseUrl',
      { 'tsconfig.json': json({ compilerOptions: { baseUrl: './src', paths: { '@/*': ['*'] } } }) },
      'src/a.ts',
      ts('src', { '@/*': ['*'] }, 'src'),
    ],
    [
      'a byte order mark',
      { 'tsconfig.json': `\uFEFF${paths({ '@/*': ['./src/*'] })}` },
      'src/a.ts',
      ts('.', { '@/*': ['./src/*'] }),
    ],
    [
      'the nearest tsconfig.json upward',
      {
        'tsconfig.json': paths({ '@/*': ['./root/*'] }),
        'web/tsconfig.json': paths({ '@/*': ['./src/*'] }),
      },
      'web/src/deep/a.ts',
      ts('web', { '@/*': ['./src/*'] }),
    ],
    [
      'a file beside no nearer tsconfig gets the root one',
      {
        'tsconfig.json': paths({ '@/*': ['./root/*'] }),
        'web/tsconfig.json': paths({ '@/*': ['./src/*'] }),
      },
      'docs/a.ts',
      ts('.', { '@/*': ['./root/*'] }),
    ],
    // extends
    [
      'paths from an extended file start at that file, ".json" added',
      {
        'tsconfig.json': json({ extends: './config/base' }),
        'config/base.json': paths({ '@/*': ['../src/*'] }),
      },
      'src/a.ts',
      ts('config', { '@/*': ['../src/*'] }),
    ],
    [
      'a chain: apps/x extends ../../tsconfig.base.json (Nx)',
      {
        'apps/x/tsconfig.json': json({ extends: '../../tsconfig.base.json' }),
        'tsconfig.base.json': json({ extends: './tsconfig.paths.json' }),
        'tsconfig.paths.json': paths({ '@libs/*': ['libs/*/src/index.ts'] }),
      },
      'apps/x/src/main.ts',
      ts('.', { '@libs/*': ['libs/*/src/index.ts'] }),
    ],
    [
      'an absolute extends',
      {
        'tsconfig.json': json({ extends: at('shared/base.json') }),
        'shared/base.json': paths({ a: ['./a.ts'] }),
      },
      'src/a.ts',
      ts('shared', { a: ['./a.ts'] }),
    ],
    [
      "the extending file's own paths replace the base's and start at its own directory",
      {
        'web/tsconfig.json': json({ extends: '../base.json', compilerOptions: { paths: { '@/*': ['./src/*'] } } }),
        'base.json': paths({ '@/*': ['./lib/*'], '~/*': ['./x/*'] }),
      },
      'web/a.ts',
      ts('web', { '@/*': ['./src/*'] }),
    ],
    [
      "a baseUrl of the extending file rebases the base's paths",
      {
        'web/tsconfig.json': json({ extends: '../base.json', compilerOptions: { baseUrl: '.' } }),
        'base.json': paths({ '@/*': ['src/*'] }),
      },
      'web/a.ts',
      ts('web', { '@/*': ['src/*'] }, 'web'),
    ],
    [
      'an extends array: later entries override earlier ones',
      {
        'tsconfig.json': json({ extends: ['./a.json', './b.json'] }),
        'a.json': json({ compilerOptions: { baseUrl: './from-a', paths: { '@/*': ['./a/*'] } } }),
        'b.json': paths({ '@/*': ['./b/*'] }),
      },
      'src/x.ts',
      ts('from-a', { '@/*': ['./b/*'] }, 'from-a'),
    ],
    [
      '${configDir} means the directory of the tsconfig in use',
      {
        'apps/x/tsconfig.json': json({ extends: '../../base.json' }),
        'base.json': json({
          compilerOptions: { baseUrl: '${configDir}', paths: { '~/*': ['${configDir}/src/*', './shared/*'] } },
        }),
      },
      'apps/x/src/a.ts',
      ts('apps/x', { '~/*': [at('apps/x/src/*'), './shared/*'] }, 'apps/x'),
    ],
    [
      'an extends cycle stops',
      {
        'tsconfig.json': json({ extends: './a.json', compilerOptions: { baseUrl: '.' } }),
        'a.json': json({ extends: './tsconfig.json', compilerOptions: { paths: { a: ['./a.ts'] } } }),
      },
      'src/x.ts',
      ts('.', { a: ['./a.ts'] }, '.'),
    ],
    [
      'a missing base is skipped',
      {
        'tsconfig.json': json({ extends: './nope.json', compilerOptions: { paths: { a: ['./a.ts'] } } }),
      },
      'src/x.ts',
      ts('.', { a: ['./a.ts'] }),
    ],
    // extends through a package name
    [
      'a package name means its tsconfig.json',
      {
        'tsconfig.json': json({ extends: 'base-pkg' }),
        'node_modules/base-pkg/package.json': json({ name: 'base-pkg' }),
        'node_modules/base-pkg/tsconfig.json': paths({ '~/*': ['${configDir}/src/*'] }),
      },
      'src/a.ts',
      ts('node_modules/base-pkg', { '~/*': [at('src/*')] }),
    ],
    [
      'a package.json "tsconfig" field',
      {
        'tsconfig.json': json({ extends: '@scope/base' }),
        'node_modules/@scope/base/package.json': json({ tsconfig: './configs/main.json' }),
        'node_modules/@scope/base/tsconfig.json': paths({ wrong: ['./x'] }),
        'node_modules/@scope/base/configs/main.json': paths({ right: ['./x'] }),
      },
      'src/a.ts',
      ts('node_modules/@scope/base/configs', { right: ['./x'] }),
    ],
    [
      'a file in a package, ".json" added',
      {
        'tsconfig.json': json({ extends: '@tsconfig/strictest/strict' }),
        'node_modules/@tsconfig/strictest/strict.json': paths({ s: ['./x'] }),
      },
      'src/a.ts',
      ts('node_modules/@tsconfig/strictest', { s: ['./x'] }),
    ],
    [
      'a package\'s "exports" (conditions require, types, node)',
      {
        'tsconfig.json': json({ extends: 'exp/base' }),
        'node_modules/exp/package.json': json({
          exports: { './base': { import: './esm.json', require: './base.json' } },
        }),
        'node_modules/exp/base.json': paths({ e: ['./x'] }),
        'node_modules/exp/esm.json': paths({ wrong: ['./x'] }),
      },
      'src/a.ts',
      ts('node_modules/exp', { e: ['./x'] }),
    ],
    [
      'a package is looked up upward from the declaring tsconfig',
      {
        'packages/p/tsconfig.json': json({ extends: 'base-pkg/tsconfig.json' }),
        'packages/p/node_modules/base-pkg/tsconfig.json': paths({ near: ['./x'] }),
        'node_modules/base-pkg/tsconfig.json': paths({ far: ['./x'] }),
      },
      'packages/p/a.ts',
      ts('packages/p/node_modules/base-pkg', { near: ['./x'] }),
    ],
    // which tsconfig owns the file
    [
      'a file the nearest tsconfig excludes goes to one further up that includes it',
      {
        'tsconfig.json': paths({ root: ['./x'] }),
        'web/tsconfig.json': json({ exclude: ['legacy'], compilerOptions: { paths: { web: ['./x'] } } }),
      },
      'web/legacy/old.ts',
      ts('.', { root: ['./x'] }),
    ],
    [
      "the nearest tsconfig's include decides",
      {
        'tsconfig.json': paths({ root: ['./x'] }),
        'web/tsconfig.json': json({ include: ['src/**/*.ts'], compilerOptions: { paths: { web: ['./x'] } } }),
      },
      'web/src/a/b.ts',
      ts('web', { web: ['./x'] }),
    ],
    [
      'a file outside include goes further up',
      {
        'tsconfig.json': paths({ root: ['./x'] }),
        'web/tsconfig.json': json({ include: ['src'], compilerOptions: { paths: { web: ['./x'] } } }),
      },
      'web/scripts/a.ts',
      ts('.', { root: ['./x'] }),
    ],
    [
      '"files" is owned, even where "exclude" would drop it',
      {
        'tsconfig.json': paths({ root: ['./x'] }),
        'web/tsconfig.json': json({
          files: ['scripts/a.ts'],
          include: ['src'],
          exclude: ['scripts'],
          compilerOptions: { paths: { web: ['./x'] } },
        }),
      },
      'web/scripts/a.ts',
      ts('web', { web: ['./x'] }),
    ],
    [
      '"files" alone includes nothing else',
      {
        'tsconfig.json': paths({ root: ['./x'] }),
        'web/tsconfig.json': json({ files: ['main.ts'], compilerOptions: { paths: { web: ['./x'] } } }),
      },
      'web/other.ts',
      ts('.', { root: ['./x'] }),
    ],
    [
      'include inherited through extends is relative to the base',
      {
        'tsconfig.json': paths({ root: ['./x'] }),
        'web/tsconfig.json': json({ extends: './cfg/base.json', compilerOptions: { paths: { web: ['./x'] } } }),
        'web/cfg/base.json': json({ include: ['../src'] }),
      },
      'web/lib/a.ts',
      ts('.', { root: ['./x'] }),
    ],
    [
      'outDir is excluded by default',
      {
        'tsconfig.json': paths({ root: ['./x'] }),
        'web/tsconfig.json': json({ compilerOptions: { outDir: './out', paths: { web: ['./x'] } } }),
      },
      'web/out/a.ts',
      ts('.', { root: ['./x'] }),
    ],
    [
      'a solution-style tsconfig: the referenced project that includes the file',
      {
        'tsconfig.json': json({
          files: [],
          references: [{ path: './libs/a/tsconfig.lib.json' }, { path: './libs/a/tsconfig.spec.json' }],
        }),
        'libs/a/tsconfig.lib.json': json({
          include: ['src'],
          exclude: ['src/**/*.spec.ts'],
          compilerOptions: { paths: { lib: ['./x'] } },
        }),
        'libs/a/tsconfig.spec.json': json({
          include: ['src/**/*.spec.ts'],
          compilerOptions: { paths: { spec: ['./x'] } },
        }),
      },
      'libs/a/src/a.spec.ts',
      ts('libs/a', { spec: ['./x'] }),
    ],
    [
      'a reference to a directory names its tsconfig.json, and references are followed further',
      {
        'tsconfig.json': json({ files: [], references: [{ path: './mid' }] }),
        'mid/tsconfig.json': json({ files: [], references: [{ path: '../pkg/tsconfig.build.json' }] }),
        'pkg/tsconfig.build.json': json({ compilerOptions: { paths: { deep: ['./x'] } } }),
      },
      'pkg/a.ts',
      ts('pkg', { deep: ['./x'] }),
    ],
    [
      'a file no tsconfig includes keeps the nearest one (tools that run it read that)',
      {
        'tsconfig.json': json({ files: [], references: [] }),
        'web/tsconfig.json': json({ include: ['src'], compilerOptions: { paths: { web: ['./x'] } } }),
      },
      'web/test/a.test.ts',
      ts('web', { web: ['./x'] }),
    ],
    [
      'an unreadable nearest tsconfig is passed over',
      {
        'tsconfig.json': paths({ root: ['./x'] }),
        'web/tsconfig.json': '{ not json',
      },
      'web/a.ts',
      ts('.', { root: ['./x'] }),
    ],
    [
      'a tsconfig above the source tree is not read',
      { '/repo/tsconfig.json': paths({ up: ['./x'] }) },
      'src/a.ts',
      null,
    ],
    ['a file under node_modules gets none', { 'tsconfig.json': paths({ root: ['./x'] }) }, 'node_modules/p/a.ts', null],
  ];

  it.each(rows)('%s', (_name, files, from, expected) => {
    const abs = Object.fromEntries(Object.entries(files).map(([p, text]) => [path.isAbsolute(p) ? p : at(p), text]));
    expect(tsPathsFor(at(from), fakeResolver(abs))).toEqual(expected);
  });

  it('a file outside the source tree gets none', () => {
    expect(tsPathsFor('/elsewhere/a.ts', fakeResolver({ [at('tsconfig.json')]: paths({ a: ['./x'] }) }))).toBeNull();
  });

  it('reads each tsconfig once per resolver, however many files and imports ask', () => {
    const r = fakeResolver({
      [at('tsconfig.base.json')]: paths({ a: ['./x'] }),
      [at('web/tsconfig.json')]: json({ extends: '../tsconfig.base.json' }),
    });
    for (const f of ['web/a.ts', 'web/a.ts', 'web/b.ts', 'web/src/c.ts']) tsPathsFor(at(f), r);
    expect(r.reads.sort()).toEqual([at('tsconfig.base.json'), at('web/tsconfig.json')]);
  });
});

describe('resolveJsImport with tsconfig files', () => {
  const imp = (specifier: string) => ({ specifier, kind: 'import' as const, line: 1 });
  const r = fakeResolver({
    [at('package.json')]: json({ imports: { '#app': './src/fallback.ts', '#other': './src/other.ts' } }),
    [at('tsconfig.json')]: json({ files: [], references: [{ path: './web' }] }),
    [at('web/tsconfig.json')]: json({ extends: '../tsconfig.base.json', include: ['src'] }),
    [at('tsconfig.base.json')]: paths({ '#app': ['./web/app-shim.ts'], '@/*': ['./web/src/*'] }),
    [at('web/app-shim.ts')]: '',
    [at('web/src/main.ts')]: '',
    [at('web/src/button.ts')]: '',
    [at('src/fallback.ts')]: '',
    [at('src/other.ts')]: '',
  });
  const from = 'web/src/main.ts' as RelPath;

  it.each([
    ['"#app" through paths before package.json "imports"', '#app', 'web/app-shim.ts'],
    ['a "#name" that paths lacks still goes to "imports"', '#other', 'src/other.ts'],
    ["paths of the file's own tsconfig, declared in its base", '@/button', 'web/src/button.ts'],
  ])('%s', (_name, specifier, expected) => {
    expect(resolveJsImport(imp(specifier), from, r)).toEqual([{ kind: 'file', path: expected }]);
  });
});
