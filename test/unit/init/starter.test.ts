// decideStarter: the config `runner init` writes for a tree listing.
import { describe, expect, it } from 'vitest';
import { type TreeListing, decideStarter, formatStarter } from '../../../src/init/index.js';

const REF = './node_modules/incremental-runner/schema/config.schema.json';

function starter(files: string[], extra: Partial<TreeListing> = {}) {
  return decideStarter(
    {
      files,
      venvs: [],
      tsconfig: null,
      hasLocalTsc: true,
      tscMajor: 5,
      typeInputs: [],
      nodeRunsTypeScript: false,
      ...extra,
    },
    REF,
  );
}

const names = (files: string[], extra: Partial<TreeListing> = {}): string[] =>
  ((starter(files, extra).config?.tools ?? []) as { name: string }[]).map((t) => t.name);

describe('decideStarter', () => {
  it.each<[string, string[], string[]]>([
    ['python without tests: a syntax check', ['pkg/a.py', 'setup.cfg'], ['python-syntax']],
    ['python with pytest-named tests', ['pkg/a.py', 'tests/test_a.py'], ['python-syntax', 'pytest']],
    ['python *_test.py files are tests too', ['a.py', 'a_test.py'], ['python-syntax', 'pytest']],
    ['typescript: tsc', ['src/a.ts', 'src/b.tsx'], ['tsc']],
    ['declaration files alone are no typescript to check', ['types/x.d.ts', 'README.md'], []],
    ['javascript with node --test files', ['src/a.js', 'test/a.test.mjs'], ['js-syntax', 'node-test']],
    [
      'both languages get both sets',
      ['a.py', 'test_a.py', 'src/a.ts', 'src/a.test.js'],
      ['python-syntax', 'pytest', 'tsc', 'js-syntax', 'node-test'],
    ],
    ['nothing it knows', ['README.md', 'Makefile'], []],
  ])('issue 15: %s', (_what, files, expected) => {
    expect(names(files)).toEqual(expected);
  });

  it('issue 15: batch tools where the tool takes many files, python tests and node tests following imports', () => {
    const tools = starter(['a.py', 'test_a.py', 'b.ts', 'b.test.mjs']).config!.tools as Record<string, unknown>[];
    expect(tools).toEqual([
      { name: 'python-syntax', command: ['python3', '-m', 'py_compile', '{files}'], include: ['**/*.py'] },
      {
        name: 'pytest',
        command: ['python3', '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '{files}'],
        include: ['**/test_*.py', '**/*_test.py'],
        deps: 'python',
      },
      {
        name: 'tsc',
        command: [
          'node_modules/.bin/tsc',
          '--noEmit',
          '--target',
          'es2022',
          '--module',
          'esnext',
          '--moduleResolution',
          'bundler',
          '--skipLibCheck',
          '{files}',
        ],
        include: ['**/*.{ts,tsx,mts,cts}'],
        exclude: ['**/*.d.{ts,mts,cts}'],
        deps: 'javascript',
      },
      { name: 'js-syntax', command: ['node', '--check', '{file}'], include: ['**/*.{js,mjs,cjs}'] },
      expect.objectContaining({ name: 'node-test', command: ['node', '--test', '{files}'], deps: 'javascript' }),
    ]);
  });

  it('issue 15: names the schema, and puts the source tree on the python path as `python3 -m pytest` does', () => {
    const c = starter(['a.py']).config!;
    expect(Object.keys(c)).toEqual(['$schema', 'addSourceTreeToPythonPath', 'tools']);
    expect(c.$schema).toBe(REF);
    expect(starter(['a.ts']).config).not.toHaveProperty('addSourceTreeToPythonPath');
  });

  it("issue 15: passes the root tsconfig's compilerOptions to tsc (given files, tsc reads none) and names what it cannot", () => {
    const s = starter(['a.ts'], {
      tsconfig: {
        extends: './base.json',
        compilerOptions: {
          strict: true,
          noEmitOnError: false,
          esModuleInterop: false,
          lib: ['es2022', 'dom'],
          types: [],
          module: 'nodenext',
          outDir: 'dist',
          paths: {},
        },
      },
    });
    const tsc = (s.config!.tools as { command: string[] }[])[0]!;
    expect(tsc.command).toEqual([
      'node_modules/.bin/tsc',
      '--noEmit',
      '--strict',
      '--esModuleInterop',
      'false',
      '--lib',
      'es2022,dom',
      '--module',
      'nodenext',
      '{files}',
    ]);
    expect(s.notes).toEqual([
      'tsconfig.json extends another file: only its own compilerOptions are in the tsc command.',
      'tsc given files reads no tsconfig.json; these compilerOptions are not in its command: noEmitOnError, types, outDir, paths.',
    ]);
  });

  it('issue 15: tsc from PATH with an install hint when the tree has none of its own', () => {
    const s = starter(['a.ts'], { hasLocalTsc: false });
    expect((s.config!.tools as { command: string[] }[])[0]!.command[0]).toBe('tsc');
    expect(s.notes).toContain('tsc is not installed in this tree: run `npm install -D typescript`.');
  });

  // TypeScript 6 and later stop with TS5112 given files beside a tsconfig.json, unless told --ignoreConfig;
  // TypeScript 5 refuses that flag as unknown (TS5023).
  const tscArgs = (extra: Partial<TreeListing>) =>
    (
      starter(['a.ts'], { tsconfig: { compilerOptions: { strict: true } }, ...extra }).config!.tools as {
        command: string[];
      }[]
    )[0]!.command.slice(1);
  it.each([6, 7])('tsc %i gets --ignoreConfig, as it needs given files beside a tsconfig.json', (major) => {
    expect(tscArgs({ tscMajor: major })).toEqual(['--noEmit', '--ignoreConfig', '--strict', '{files}']);
  });
  it('tsc 5 does not: it knows no such flag', () => {
    expect(tscArgs({ tscMajor: 5 })).toEqual(['--noEmit', '--strict', '{files}']);
  });
  it('a tsc that did not answer gets it, as an install today would need, and a note says so', () => {
    expect(tscArgs({ tscMajor: null, hasLocalTsc: false })).toEqual([
      '--noEmit',
      '--ignoreConfig',
      '--strict',
      '{files}',
    ]);
    const s = starter(['a.ts'], { tscMajor: null, hasLocalTsc: false });
    expect(s.notes).toContain(
      "tsc's version is unknown (none answered `tsc --version`): the command passes --ignoreConfig, which TypeScript 6 and later need; remove it for TypeScript 5 or older.",
    );
    expect(starter(['a.ts'], { tscMajor: 7 }).notes.join(' ')).not.toContain('--ignoreConfig');
  });

  // Given files, tsc sees only what they import: an ambient declaration file (`declare module`, globals) is named
  // in the command, and is an input of every job.
  const tscTool = (files: string[], tsconfig: unknown) =>
    (starter(files, { tsconfig }).config!.tools as { name: string; command: string[]; inputs?: string[] }[]).find(
      (t) => t.name === 'tsc',
    )!;
  const tree = ['src/a.ts', 'src/types/shim.d.ts', 'src/legacy/old.d.ts', 'lib/a.d.ts', 'other/x.d.ts', '-odd.d.ts'];
  it.each<[string, unknown, string[]]>([
    [
      'every declaration file when the tsconfig names no include, its outDir left out',
      { compilerOptions: { outDir: 'lib' } },
      ['-odd.d.ts', 'other/x.d.ts', 'src/legacy/old.d.ts', 'src/types/shim.d.ts'],
    ],
    [
      'those its include takes (a directory: all below it), less its exclude',
      { include: ['./src/'], exclude: ['src/legacy'] },
      ['src/types/shim.d.ts'],
    ],
    [
      'a glob include, and the declarationDir left out',
      { include: ['**/*.d.ts'], compilerOptions: { declarationDir: 'other' } },
      ['-odd.d.ts', 'lib/a.d.ts', 'src/legacy/old.d.ts', 'src/types/shim.d.ts'],
    ],
    [
      'its files alone when it names files and no include',
      { files: ['./src/types/shim.d.ts', 'src/a.ts'] },
      ['src/types/shim.d.ts'],
    ],
    ['none without a tsconfig', null, []],
  ])('tsc is given the declaration files the tsconfig takes in: %s', (_what, tsconfig, ambient) => {
    const tool = tscTool(tree, tsconfig);
    const args = ambient.map((f) => (f.startsWith('-') ? `./${f}` : f));
    expect(tool.command.slice(tool.command.length - 1 - ambient.length)).toEqual([...args, '{files}']);
    expect(tool.inputs).toEqual(ambient.length === 0 ? undefined : ambient);
  });
  it('what tsc loads with no import naming it (node_modules/@types) is an input too, after the declaration files', () => {
    const s = starter(['src/a.ts', 'src/shim.d.ts'], { tsconfig: {}, typeInputs: ['node_modules/@types'] });
    const tool = (s.config!.tools as { name: string; command: string[]; inputs?: string[] }[])[0]!;
    expect(tool.inputs).toEqual(['src/shim.d.ts', 'node_modules/@types']);
    // Inputs only: tsc finds them itself.
    expect(tool.command).not.toContain('node_modules/@types');
    expect(s.notes).toContain(
      'tsc loads node_modules/@types with no import naming it: "inputs" has it, so an upgrade there checks every file again.',
    );
  });

  it('a note names the declaration files given to tsc', () => {
    const s = starter(tree, { tsconfig: { include: ['src'] } });
    expect(s.notes).toContain(
      'tsc given files sees only what they import: the command names the 2 declaration files tsconfig.json takes in (src/legacy/old.d.ts, src/types/shim.d.ts), and "inputs" has them; add one made later to both.',
    );
  });

  it('issue 15: TypeScript tests go to node --test only where node runs .ts itself', () => {
    const files = ['src/a.ts', 'src/a.test.ts'];
    expect(names(files)).toEqual(['tsc']);
    expect(starter(files).notes).toContain(
      'TypeScript tests are left out: this node does not run .ts files (Node 22.18 or later does); add a test tool for them by hand.',
    );
    expect(names(files, { nodeRunsTypeScript: true })).toEqual(['tsc', 'node-test']);
    expect(starter(files, { nodeRunsTypeScript: true }).found.jsTests).toBe(1);
  });

  it('issue 15: excludes the virtual environments found, beside the default excludes', () => {
    const c = starter(['a.py'], { venvs: ['.venv', 'tools/env'] }).config!;
    expect(c.exclude).toEqual(['**/node_modules/**', '**/.git/**', '**/__pycache__/**', '.venv/**', 'tools/env/**']);
  });

  it('issue 15: the written text is one tool a line and parses back to the same config', () => {
    const c = starter(['a.py', 'test_a.py']).config!;
    const text = formatStarter(c);
    expect(JSON.parse(text)).toEqual(c);
    expect(text.split('\n').filter((l) => l.includes('"name"'))).toHaveLength(2);
  });

  describe('issue 16: the pytest tool takes what pytest itself would collect', () => {
    const pytestOf = (files: string[], pytest: TreeListing['pytest'] = null) => {
      const s = starter(files, { pytest });
      const tool = (s.config!.tools as Record<string, unknown>[]).find((t) => t.name === 'pytest')!;
      return { include: tool.include, exclude: tool.exclude, notes: s.notes };
    };
    const none = { testpaths: null, norecursedirs: null, pythonpath: null, ignore: [] };

    it("pytest's testpaths: only those", () => {
      const files = ['tests/test_a.py', 'docs/examples/test_demo.py', 'src/x/check_test.py', 'tests/unit/test_b.py'];
      expect(pytestOf(files, { ...none, testpaths: ['./tests/', 'src/x/check_test.py'] }).include).toEqual([
        'tests/**/test_*.py',
        'tests/**/*_test.py',
        'src/x/check_test.py',
      ]);
      expect(pytestOf(files, { ...none, testpaths: ['../elsewhere'] }).include).toEqual([
        '**/test_*.py',
        '**/*_test.py',
      ]);
    });

    it('vendored trees (_vendor, vendor) are left out', () => {
      const files = ['src/pkg/_vendor/lib/test_lib.py', 'vendor/x/tests/test_x.py', 'tests/test_a.py'];
      expect(pytestOf(files).exclude).toEqual(['**/_vendor/**', '**/vendor/**']);
      expect(pytestOf(['tests/test_a.py']).exclude).toBeUndefined();
    });

    it("pytest's norecursedirs when set, its defaults (build, dist, ...) when not", () => {
      const files = ['tests/test_a.py', 'tests/data/test_sample.py', 'build/lib/test_copy.py'];
      expect(pytestOf(files).exclude).toEqual(['**/build/**']);
      expect(pytestOf(files, { ...none, norecursedirs: ['data', '*.egg'] }).exclude).toEqual(['**/data/**']);
    });

    it("what addopts' --ignore names is left out", () => {
      const files = ['tests/test_a.py', 'tests/data/sample_test.py', 'tests/test_slow.py'];
      expect(pytestOf(files, { ...none, ignore: ['tests/data/', './tests/test_slow.py'] }).exclude).toEqual([
        'tests/data/**',
        'tests/test_slow.py',
      ]);
    });

    it("a src layout without pytest's pythonpath gets a note saying where the tests' imports come from", () => {
      const files = ['src/pkg/__init__.py', 'src/pkg/mod.py', 'tests/test_mod.py'];
      expect(pytestOf(files).notes.join('\n')).toContain('src/pkg is a src layout');
      expect(pytestOf(files, { ...none, pythonpath: ['src'] }).notes).toEqual([]);
    });
  });
});
