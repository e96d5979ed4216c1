// The pytest tool `runner init` writes, taking what pytest itself would
// collect: only the declared `testpaths`, never a vendored tree or a directory
// pytest does not enter (`norecursedirs`). Pure: the root's pytest options are given.
import { PYTHON_TEST_GLOBS, compileGlobs } from './globs.js';

/** The root's pytest options init heeds (as written, relative to the source tree root), or null when none. */
export interface PytestOptions {
  testpaths: readonly string[] | null;
  norecursedirs: readonly string[] | null;
  pythonpath: readonly string[] | null;
  /** What `--ignore PATH` and `--ignore-glob GLOB` in addopts leave out (pytest takes both relative to the root here). */
  ignore: readonly string[];
}

/** pytest's default norecursedirs (pytest 9, `pytest --help`). */
const DEFAULT_NORECURSEDIRS = ['*.egg', '.*', '_darcs', 'build', 'CVS', 'dist', 'node_modules', 'venv', '{arch}'];
/** Directories that hold other projects' code, whatever pytest would do with them. */
const VENDORED = ['_vendor', 'vendor'];

/** The pytest tool for a tree whose test files are `tests`, and what to tell the user about it. */
export function pytestTool(
  tests: readonly string[],
  files: readonly string[],
  options: PytestOptions | null,
): { tool: Record<string, unknown>; notes: string[] } {
  const notes: string[] = [];
  let include = [...PYTHON_TEST_GLOBS];
  const testpaths = (options?.testpaths ?? []).map((p) => p.replace(/^\.\//, '').replace(/\/+$/, ''));
  if (testpaths.some((p) => p.startsWith('/') || p.split('/').includes('..'))) {
    notes.push("pytest's testpaths name directories outside the source tree: the pytest tool takes every test file.");
  } else if (testpaths.length > 0 && !testpaths.includes('') && !testpaths.includes('.')) {
    // A testpath may be a file, a directory or a glob (pytest expands globs in testpaths).
    include = testpaths.flatMap((p) => (p.endsWith('.py') ? [p] : PYTHON_TEST_GLOBS.map((g) => `${p}/${g}`)));
  }
  // Directory names, matched as pytest's fnmatch does against each directory's own name.
  const skipped = [...VENDORED, ...(options?.norecursedirs ?? DEFAULT_NORECURSEDIRS)].filter((p) => !p.includes('/'));
  const taken = tests.filter(compileGlobs(include));
  const ignored = (options?.ignore ?? [])
    .map((p) => p.replace(/^\.\//, '').replace(/\/+$/, ''))
    .filter((p) => p !== '' && !p.startsWith('/') && !p.split('/').includes('..'))
    .map((p) => (p.endsWith('.py') ? p : `${p}/**`));
  const exclude = [...skipped.map((p) => `**/${p}/**`), ...ignored].filter((g) => taken.some(compileGlobs([g])));
  const tool: Record<string, unknown> = {
    name: 'pytest',
    // No cache provider: pytest would write .pytest_cache into the tree on every run.
    command: ['python3', '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '{files}'],
    include,
    ...(exclude.length > 0 ? { exclude } : {}),
    deps: 'python',
  };
  const packages = files.filter((f) => /^src\/[^/]+\/__init__\.py$/.test(f)).map((f) => f.split('/')[1]!);
  if (packages.length > 0 && !(options?.pythonpath ?? []).some((p) => p.replace(/\/+$/, '') === 'src')) {
    notes.push(
      `src/${packages[0]!} is a src layout: the tests import ${packages[0]!} from wherever Python finds it (an installed copy unless installed with \`pip install -e .\`); set pytest's pythonpath = ["src"] to test the tree itself.`,
    );
  }
  return { tool, notes };
}
