import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PYTHON_IMPORTS_HELPER,
  type PythonDep,
  type PythonImport,
  type PythonResolver,
  resolvePythonImport,
  scanPythonImports,
} from '../../../src/deps/python.js';
import type { RelPath } from '../../../src/types.js';
import { digestBytes } from '../../../src/hash.js';

const rel = (p: string): RelPath => p as RelPath;
const file = (p: string): PythonDep => ({ kind: 'file', path: rel(p) });
const external = (p: string): PythonDep => ({ kind: 'external', path: p });

describe('resolvePythonImport', () => {
  const SRC = '/src';
  const SITE = '/venv/site';
  const VENDOR = '/src-vendor'; // a sibling whose name starts like the source tree's
  const EXT = ['.cpython-311-x86_64-linux-gnu.so', '.abi3.so', '.so'];

  /** An in-memory file system: every listed file, its parent directories, and which in-tree files are tracked. */
  function fakeResolver(files: string[], opts: { untracked?: string[]; searchPath?: string[] } = {}): PythonResolver {
    const fileSet = new Set(files);
    const dirSet = new Set<string>();
    for (const f of files) {
      for (let d = path.dirname(f); d !== '/'; d = path.dirname(d)) dirSet.add(d);
    }
    const untracked = new Set(opts.untracked ?? []);
    return {
      sourceTree: SRC,
      searchPath: opts.searchPath ?? [SRC, VENDOR, SITE],
      extensionSuffixes: EXT,
      builtins: new Set(['sys', 'time', 'builtins']),
      isTracked: (p) => fileSet.has(path.join(SRC, p)) && !untracked.has(p),
      exists: (abs) => {
        // Like stat(): asking below a file is ENOTDIR, which the resolver must never do.
        for (let d = path.dirname(abs); d !== '/'; d = path.dirname(d)) {
          if (fileSet.has(d)) throw new Error(`ENOTDIR: not a directory, stat '${abs}'`);
        }
        return fileSet.has(abs) ? 'file' : dirSet.has(abs) ? 'dir' : null;
      },
    };
  }

  const tree = fakeResolver(
    [
      '/src/main.py',
      '/src/util.py',
      '/src/pkg/__init__.py',
      '/src/pkg/mod.py',
      '/src/pkg/other.py',
      '/src/pkg/sub/__init__.py',
      '/src/pkg/sub/mod.py',
      '/src/pkg/sub/sibling.py',
      '/src/pkg/sub/deep/__init__.py',
      '/src/nopkg/leaf.py', // a directory without __init__: a namespace package
      '/src/both/__init__.py', // a package and a module of one name: the package wins
      '/src/both.py',
      '/src/dup.py', // also on SITE: the first entry wins
      '/src/sys.py', // shadowed by the builtin
      '/src/gen.py', // in the tree but untracked
      '/src/spread/a.py', // one namespace package over two entries
      '/venv/site/spread/b.py',
      '/src/plain/x.py', // a namespace dir here, a regular module later on the path
      '/venv/site/plain.py',
      '/venv/site/dup.py',
      '/venv/site/requests/__init__.py',
      '/venv/site/requests/models.py',
      '/venv/site/pkg/extra.py', // not reachable: pkg is a regular package in /src
      '/venv/site/fast.cpython-311-x86_64-linux-gnu.so',
      '/venv/site/fast.py', // same dir: the extension module wins
      '/venv/site/stable.abi3.so',
      '/venv/site/bare.so',
      '/venv/site/cext/__init__.py',
      '/venv/site/cext/_speed.so',
      '/src-vendor/vendored.py',
    ],
    { untracked: ['gen.py'] },
  );

  const imp = (module: string, over: Partial<PythonImport> = {}): PythonImport => ({
    module,
    names: [],
    level: 0,
    line: 1,
    dynamic: false,
    ...over,
  });
  const unresolved = (name: string): PythonDep => ({ kind: 'unresolved', name });

  it.each<[string, PythonImport, string, PythonDep[]]>([
    ['a module of the source tree', imp('util'), 'main.py', [file('util.py')]],
    ['a package is its __init__', imp('pkg'), 'main.py', [file('pkg/__init__.py')]],
    [
      'a dotted import depends on every parent __init__',
      imp('pkg.sub.mod'),
      'main.py',
      [file('pkg/__init__.py'), file('pkg/sub/__init__.py'), file('pkg/sub/mod.py')],
    ],
    [
      'a subpackage is its __init__',
      imp('pkg.sub.deep'),
      'main.py',
      [file('pkg/__init__.py'), file('pkg/sub/__init__.py'), file('pkg/sub/deep/__init__.py')],
    ],
    ['a namespace package resolves with no file', imp('nopkg'), 'main.py', []],
    ['a module in a namespace package has no parent __init__', imp('nopkg.leaf'), 'main.py', [file('nopkg/leaf.py')]],
    ['a namespace package spans entries (first portion)', imp('spread.a'), 'main.py', [file('spread/a.py')]],
    [
      'a namespace package spans entries (later portion)',
      imp('spread.b'),
      'main.py',
      [external('/venv/site/spread/b.py')],
    ],
    [
      'a regular module on a later entry beats a namespace dir on an earlier one',
      imp('plain'),
      'main.py',
      [external('/venv/site/plain.py')],
    ],
    ['the first search path entry wins', imp('dup'), 'main.py', [file('dup.py')]],
    [
      'a package wins over a module of the same name in one directory',
      imp('both'),
      'main.py',
      [file('both/__init__.py')],
    ],
    [
      'an installed package is external',
      imp('requests.models'),
      'main.py',
      [external('/venv/site/requests/__init__.py'), external('/venv/site/requests/models.py')],
    ],
    [
      'an entry beside the source tree is outside it',
      imp('vendored'),
      'main.py',
      [external('/src-vendor/vendored.py')],
    ],
    ['an untracked file of the source tree is external', imp('gen'), 'main.py', [external('/src/gen.py')]],
    [
      'an extension module with the interpreter tag, chosen over .py',
      imp('fast'),
      'main.py',
      [external('/venv/site/fast.cpython-311-x86_64-linux-gnu.so')],
    ],
    ['an abi3 extension module', imp('stable'), 'main.py', [external('/venv/site/stable.abi3.so')]],
    ['a bare .so extension module', imp('bare'), 'main.py', [external('/venv/site/bare.so')]],
    [
      'an extension submodule',
      imp('cext._speed'),
      'main.py',
      [external('/venv/site/cext/__init__.py'), external('/venv/site/cext/_speed.so')],
    ],
    ['a builtin module has nothing to track, even with a same-named file', imp('sys'), 'main.py', []],
    ['a builtin module has no submodules', imp('sys.monitoring'), 'main.py', [unresolved('sys.monitoring')]],
    ['an unknown module is unresolved', imp('nothere'), 'main.py', [unresolved('nothere')]],
    [
      'an unknown submodule keeps the parents found',
      imp('pkg.nothere'),
      'main.py',
      [file('pkg/__init__.py'), unresolved('pkg.nothere')],
    ],
    ['a plain module has no submodules', imp('util.x'), 'main.py', [file('util.py'), unresolved('util.x')]],
    [
      'a submodule is searched only in its package, not on later entries',
      imp('pkg.extra'),
      'main.py',
      [file('pkg/__init__.py'), unresolved('pkg.extra')],
    ],
    [
      'from-import of a submodule adds it',
      imp('pkg', { names: ['sub'] }),
      'main.py',
      [file('pkg/__init__.py'), file('pkg/sub/__init__.py')],
    ],
    [
      'from-import of an attribute adds nothing and is not unresolved',
      imp('pkg.sub', { names: ['mod', 'helper'] }),
      'main.py',
      [file('pkg/__init__.py'), file('pkg/sub/__init__.py'), file('pkg/sub/mod.py')],
    ],
    [
      'from-import from a plain module adds only the module',
      imp('util', { names: ['thing'] }),
      'main.py',
      [file('util.py')],
    ],
    ['star import adds no submodule', imp('pkg', { names: ['*'] }), 'main.py', [file('pkg/__init__.py')]],
    [
      'from-import from a namespace package',
      imp('nopkg', { names: ['leaf', 'absent'] }),
      'main.py',
      [file('nopkg/leaf.py')],
    ],
    [
      'from-import from an unknown module is unresolved once',
      imp('nothere', { names: ['a', 'b'] }),
      'main.py',
      [unresolved('nothere')],
    ],
    ['from-import from a builtin', imp('time', { names: ['sleep'] }), 'main.py', []],
    [
      'duplicates are dropped',
      imp('pkg', { names: ['mod', 'mod', 'sub'] }),
      'main.py',
      [file('pkg/__init__.py'), file('pkg/mod.py'), file('pkg/sub/__init__.py')],
    ],
    [
      'a dynamic import resolves like a static one',
      imp('pkg.mod', { dynamic: true }),
      'main.py',
      [file('pkg/__init__.py'), file('pkg/mod.py')],
    ],
    [
      'relative level 1: from . import sibling',
      imp('', { level: 1, names: ['sibling'] }),
      'pkg/sub/mod.py',
      [file('pkg/sub/__init__.py'), file('pkg/sub/sibling.py')],
    ],
    [
      'relative level 1: from .sibling import name',
      imp('sibling', { level: 1, names: ['name'] }),
      'pkg/sub/mod.py',
      [file('pkg/sub/__init__.py'), file('pkg/sub/sibling.py')],
    ],
    [
      'relative level 1 through a subpackage',
      imp('deep', { level: 1 }),
      'pkg/sub/mod.py',
      [file('pkg/sub/__init__.py'), file('pkg/sub/deep/__init__.py')],
    ],
    [
      'relative level 2: from ..other import name',
      imp('other', { level: 2, names: ['name'] }),
      'pkg/sub/mod.py',
      [file('pkg/__init__.py'), file('pkg/other.py')],
    ],
    [
      'relative level 2: from .. import other',
      imp('', { level: 2, names: ['other'] }),
      'pkg/sub/mod.py',
      [file('pkg/__init__.py'), file('pkg/other.py')],
    ],
    [
      'relative level 1 at the root of the source tree',
      imp('', { level: 1, names: ['util'] }),
      'main.py',
      [file('util.py')],
    ],
    [
      'relative level 2 from the root goes beyond the source tree',
      imp('', { level: 2, names: ['x'] }),
      'main.py',
      [unresolved('..')],
    ],
    [
      'relative level 3 from one directory down goes beyond the source tree',
      imp('x', { level: 3, names: ['y'] }),
      'pkg/mod.py',
      [unresolved('...x')],
    ],
    [
      'an unknown relative module keeps its dots',
      imp('missing', { level: 1, names: ['y'] }),
      'pkg/sub/mod.py',
      [file('pkg/sub/__init__.py'), unresolved('.missing')],
    ],
    [
      'a relative import never looks at the search path',
      imp('requests', { level: 1 }),
      'pkg/mod.py',
      [file('pkg/__init__.py'), unresolved('.requests')],
    ],
  ])('%s', (_name, theImport, from, expected) => {
    expect(resolvePythonImport(theImport, rel(from), tree)).toEqual(expected);
  });

  it('skips search path entries that are not directories (a zip, a missing one)', () => {
    const r = fakeResolver(['/py/lib/python311.zip', '/venv/site/six.py'], {
      searchPath: ['/py/lib/python311.zip', '/gone', SITE],
    });
    expect(resolvePythonImport(imp('six'), rel('main.py'), r)).toEqual([external('/venv/site/six.py')]);
    expect(resolvePythonImport(imp('zipped'), rel('main.py'), r)).toEqual([unresolved('zipped')]);
  });

  it('the search path order decides, not the source tree', () => {
    const r = fakeResolver(['/src/dup.py', '/venv/site/dup.py'], { searchPath: [SITE, SRC] });
    expect(resolvePythonImport(imp('dup'), rel('main.py'), r)).toEqual([external('/venv/site/dup.py')]);
  });
});

// Each test starts real python processes: seconds on a busy machine, more than vitest's 5 s unit default.
describe('scanPythonImports', { timeout: 60_000 }, () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-python-'));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  const write = (p: string, text: string | Buffer): void => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), text);
  };
  const env = (): Record<string, string> =>
    Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  const scan = (files: string[], over: { python?: string; env?: Record<string, string> } = {}) =>
    scanPythonImports({
      python: over.python ?? 'python3',
      env: over.env ?? env(),
      sourceTree: root,
      files: files.map(rel),
    });
  it('splits a large scan between helpers (one per CPU) and answers as one helper would, in the order asked', async () => {
    const files: string[] = [];
    for (let i = 0; i < 2100; i++) {
      const p = `pkg${i % 7}/m${i}.py`;
      write(p, i % 500 === 0 ? 'def broken(:\n' : `import mod${i}\nfrom . import sib${i % 3}\n`);
      files.push(p);
    }
    const one = await scanPythonImports({
      python: 'python3',
      env: env(),
      sourceTree: root,
      files: files.map(rel),
      helpers: 1,
    });
    const two = await scanPythonImports({
      python: 'python3',
      env: env(),
      sourceTree: root,
      files: files.map(rel),
      helpers: 2,
    });
    expect([...two.files.keys()]).toEqual(files);
    expect(two).toEqual(one);
    expect(two.files.get(rel('pkg1/m1.py'))?.imports.map((i) => i.module)).toEqual(['mod1', '']);
    expect(two.files.get(rel('pkg3/m500.py'))?.error).toMatch(/^SyntaxError/);
  });

  const forms = [
    'import os',
    'import xml.dom.minidom',
    'import numpy as np, json',
    'from a.b import c, d as e',
    'from . import sibling',
    'from ..pkg import (y,',
    '    z)',
    'from x import *',
    'import importlib',
    'importlib.import_module("lit.eral")',
    'importlib.import_module(".rel", "pkg.sub")',
    'importlib.import_module(name="kw")',
    'importlib.import_module(some_variable)',
    '__import__("dunder")',
    '__import__("dd", globals(), locals(), ["f1", "f2"], 1)',
    '__import__(computed)',
    'try:',
    '    import fast_json',
    'except ImportError:',
    '    fast_json = None',
    'from typing import TYPE_CHECKING',
    'if TYPE_CHECKING:',
    '    from typed.only import T',
    'def later():',
    '    import inside_function',
    '    class C:',
    '        from in_class import m',
    '',
  ].join('\n');
  const expectedForms: Omit<PythonImport, 'dynamic'>[] = [
    { module: 'os', names: [], level: 0, line: 1 },
    { module: 'xml.dom.minidom', names: [], level: 0, line: 2 },
    { module: 'numpy', names: [], level: 0, line: 3 },
    { module: 'json', names: [], level: 0, line: 3 },
    { module: 'a.b', names: ['c', 'd'], level: 0, line: 4 },
    { module: '', names: ['sibling'], level: 1, line: 5 },
    { module: 'pkg', names: ['y', 'z'], level: 2, line: 6 },
    { module: 'x', names: ['*'], level: 0, line: 8 },
    { module: 'importlib', names: [], level: 0, line: 9 },
    { module: 'lit.eral', names: [], level: 0, line: 10 },
    { module: 'pkg.sub.rel', names: [], level: 0, line: 11 },
    { module: 'kw', names: [], level: 0, line: 12 },
    { module: 'dunder', names: [], level: 0, line: 14 },
    { module: 'dd', names: ['f1', 'f2'], level: 1, line: 15 },
    { module: 'fast_json', names: [], level: 0, line: 18 },
    { module: 'typing', names: ['TYPE_CHECKING'], level: 0, line: 21 },
    { module: 'typed.only', names: ['T'], level: 0, line: 23 },
    { module: 'inside_function', names: [], level: 0, line: 25 },
    { module: 'in_class', names: ['m'], level: 0, line: 27 },
  ];
  const dynamicLines = new Set([10, 11, 12, 14, 15]);
  const expectedImports = expectedForms.map((i) => ({ ...i, dynamic: dynamicLines.has(i.line) }));

  it('lists every import form, in source order, dynamic ones marked', async () => {
    write('pkg/sub/forms.py', forms);
    const result = await scan(['pkg/sub/forms.py']);
    expect(result.files.get(rel('pkg/sub/forms.py'))).toEqual({
      imports: expectedImports,
      error: null,
      digest: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('reports a syntax error or an unreadable file and still scans the others', async () => {
    write('ok.py', 'import one\n');
    write('bad.py', 'import fine\n\ndef broken(:\n    pass\n');
    write('latin.py', Buffer.from('# -*- coding: latin-1 -*-\nimport cafe\ns = "\xe9"\n', 'latin1'));
    write('pkg/sub/deep.py', 'from .. import up\n');
    const result = await scan(['bad.py', 'ok.py', 'missing.py', 'latin.py', 'pkg/sub/deep.py']);
    expect(result.files.get(rel('bad.py'))).toEqual({
      imports: [],
      error: expect.stringMatching(/^SyntaxError: .* \(line 3\)$/),
      digest: digestBytes(fs.readFileSync(path.join(root, 'bad.py'))),
    });
    expect(result.files.get(rel('missing.py'))).toEqual({
      imports: [],
      error: 'FileNotFoundError: No such file or directory',
      digest: null,
    });
    expect(result.files.get(rel('ok.py'))?.imports.map((i) => i.module)).toEqual(['one']);
    expect(result.files.get(rel('latin.py'))).toMatchObject({ imports: [{ module: 'cafe' }], error: null });
    expect(result.files.get(rel('pkg/sub/deep.py'))?.imports).toEqual([
      { module: '', names: ['up'], level: 2, line: 1, dynamic: false },
    ]);
    expect([...result.files.keys()]).toEqual(['bad.py', 'ok.py', 'missing.py', 'latin.py', 'pkg/sub/deep.py']);
  });

  it('scans 200 files with one interpreter', async () => {
    // A python that logs each start, so the test counts interpreters.
    const log = path.join(root, 'starts.log');
    const python = path.join(root, 'counting-python');
    fs.writeFileSync(python, `#!/bin/sh\necho started >> '${log}'\nexec python3 "$@"\n`, { mode: 0o755 });
    const files = Array.from({ length: 200 }, (_, i) => `src/m${i}.py`);
    for (const [i, f] of files.entries()) write(f, `import dep${i}\n`);
    const result = await scan(files, { python });
    expect(result.files.size).toBe(200);
    expect(result.files.get(rel('src/m199.py'))?.imports.map((i) => i.module)).toEqual(['dep199']);
    expect(fs.readFileSync(log, 'utf8')).toBe('started\n');
  });

  it("reports the interpreter's sys.path under the given env, without the helper's directory", async () => {
    const extra = path.join(root, 'extra');
    fs.mkdirSync(extra);
    // A json.py on PYTHONPATH must not break the helper, which imports json.
    fs.writeFileSync(path.join(extra, 'json.py'), 'raise SystemExit("shadowed json imported")\n');
    const result = await scan([], { env: { ...env(), PYTHONPATH: `${extra}${path.delimiter}relative-entry` } });
    expect(result.sysPath.slice(0, 2)).toEqual([extra, path.join(root, 'relative-entry')]);
    expect(result.sysPath).not.toContain(path.dirname(PYTHON_IMPORTS_HELPER));
    expect(result.sysPath.every((p) => path.isAbsolute(p))).toBe(true);
    expect(result.extensionSuffixes).toContain('.so');
    expect(result.builtins).toContain('sys');
  });

  it('scan and resolution agree with the real interpreter: tree modules, stdlib, extension modules, builtins', async () => {
    write('app/__init__.py', '');
    write(
      'app/main.py',
      'import json, _json, sys\nfrom . import helpers\nfrom app.helpers import tool\nimport not_installed_anywhere\n',
    );
    write('app/helpers.py', 'tool = 1\n');
    const result = await scan(['app/main.py']);
    const exists = (abs: string): 'file' | 'dir' | null => {
      const st = fs.statSync(abs, { throwIfNoEntry: false });
      return st === undefined ? null : st.isDirectory() ? 'dir' : 'file';
    };
    const r: PythonResolver = {
      sourceTree: root,
      searchPath: [root, ...result.sysPath],
      extensionSuffixes: result.extensionSuffixes,
      builtins: new Set(result.builtins),
      isTracked: (p) => ['app/__init__.py', 'app/main.py', 'app/helpers.py'].includes(p),
      exists,
    };
    const imports = result.files.get(rel('app/main.py'))?.imports ?? [];
    const deps = imports.map((imp) => resolvePythonImport(imp, rel('app/main.py'), r));
    const where = spawnSync('python3', ['-c', 'import json, _json; print(json.__file__); print(_json.__file__)'], {
      encoding: 'utf8',
    })
      .stdout.trim()
      .split('\n');
    expect(deps).toEqual([
      [external(where[0] ?? '')],
      [external(where[1] ?? '')],
      [],
      [file('app/__init__.py'), file('app/helpers.py')],
      [file('app/__init__.py'), file('app/helpers.py')],
      [{ kind: 'unresolved', name: 'not_installed_anywhere' }],
    ]);
  });

  it("rejects with the helper's stderr when it exits non-zero", async () => {
    const python = path.join(root, 'broken-python');
    fs.writeFileSync(python, '#!/bin/sh\necho "Fatal Python error: no encodings" >&2\nexit 3\n', { mode: 0o755 });
    await expect(scan(['a.py'], { python })).rejects.toThrow(/exited with 3: Fatal Python error: no encodings$/);
  });

  it('rejects when the interpreter does not exist', async () => {
    await expect(scan(['a.py'], { python: path.join(root, 'no-such-python') })).rejects.toThrow(
      /did not run: .*ENOENT/,
    );
  });

  it('finds its helper in the source tree of the package', () => {
    expect(fs.existsSync(PYTHON_IMPORTS_HELPER)).toBe(true);
    expect(PYTHON_IMPORTS_HELPER).toBe(path.resolve(import.meta.dirname, '../../../src/deps/python-imports.py'));
  });
});
