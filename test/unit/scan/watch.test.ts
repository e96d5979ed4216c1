// watchFilter decides what the file watcher never watches; depfileMatcher names tool outputs.
import { describe, expect, it } from 'vitest';
import { compileSpec, depfileMatcher, watchFilter } from '../../../src/scan/index.js';

const ROOT = '/src/tree';
const dir = { isDirectory: () => true };
const file = { isDirectory: () => false };

function filter(over: { whitelist?: string[] | null; always?: string[]; outputs?: string[] } = {}) {
  const spec = compileSpec({
    include: ['**/*.py'],
    exclude: ['**/node_modules/**', '**/__pycache__/**'],
    whitelist: over.whitelist ?? null,
    skip: ['.runner'],
  });
  return watchFilter({
    sourceTree: ROOT,
    spec,
    alwaysWatched: new Set(over.always ?? []),
    isOutput: depfileMatcher(over.outputs ?? []),
  });
}

describe('watchFilter', () => {
  const ignores = filter({ always: [`${ROOT}/.runnerrc.json`, '/elsewhere/runner.json'], outputs: ['build/{file}.d'] });
  it.each([
    ['the source tree itself', ROOT, dir, false],
    ["a directory, not yet stat'ed", `${ROOT}/pkg`, undefined, false],
    ['a directory', `${ROOT}/pkg`, dir, false],
    ['an included file', `${ROOT}/pkg/a.py`, file, false],
    ['a file matching no include', `${ROOT}/pkg/notes.md`, file, true],
    ['an excluded directory', `${ROOT}/node_modules`, undefined, true],
    ['a file in an excluded directory', `${ROOT}/pkg/__pycache__/a.cpython-312.pyc`, file, true],
    ['the state directory', `${ROOT}/.runner`, undefined, true],
    ['a file in the state directory', `${ROOT}/.runner/logs/x.log`, file, true],
    ['.git', `${ROOT}/.git`, dir, true],
    ['a file under .git', `${ROOT}/sub/.git/HEAD`, file, true],
    ['the config file, though no include takes it', `${ROOT}/.runnerrc.json`, file, false],
    ['a config file outside the tree', '/elsewhere/runner.json', file, false],
    ['anything else outside the tree', '/elsewhere/x.py', file, true],
    ['a depfile a tool writes', `${ROOT}/build/src/a.py.d`, file, true],
    ['an included file that merely resembles a depfile', `${ROOT}/build/a.py`, file, false],
  ] as const)('%s', (_what, abs, entry, ignored) => {
    expect(ignores(abs, entry)).toBe(ignored);
  });

  it('with a whitelist, watches only the listed files (and the directories that hold them)', () => {
    const ignores = filter({ whitelist: ['pkg/a.py'] });
    expect(ignores(`${ROOT}/pkg`, dir)).toBe(false);
    expect(ignores(`${ROOT}/pkg/a.py`, file)).toBe(false);
    expect(ignores(`${ROOT}/pkg/b.py`, file)).toBe(true);
  });
});

describe('depfileMatcher', () => {
  it('matches what the template names for any file, and nothing else', () => {
    const m = depfileMatcher(['build/{file}.d', 'deps/{file}.dep.json']);
    expect(m('build/src/main.c.d')).toBe(true);
    expect(m('deps/x.py.dep.json')).toBe(true);
    expect(m('build/.d')).toBe(false);
    expect(m('build/src/main.c')).toBe(false);
    expect(m('xbuild/a.d')).toBe(false);
    expect(depfileMatcher([])('build/a.d')).toBe(false);
  });
});
