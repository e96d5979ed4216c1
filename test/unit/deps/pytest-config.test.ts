// pytest's configuration as pytest reads it: which file holds its section,
// the pythonpath it gives, and which directory's configuration a test gets
// (rows checked against tomllib, iniconfig 2 and shlex on Python 3.11).
import { describe, expect, test } from 'vitest';
import { optionList, readPytestSection } from '../../../src/deps/pytest-config.js';
import { pytestArguments, shlexSplit, uninterpretedPytestOption } from '../../../src/deps/pytest-options.js';
import { pytestPythonpath } from '../../../src/deps/pytest-pythonpath.js';
import { parse as parseToml } from 'smol-toml';

const pythonpath = (name: string, text: string): string[] | null | 'none' | 'unreadable' => {
  const s = readPytestSection(name, text);
  return s.kind === 'pytest' ? optionList(s.options.get('pythonpath')) : s.kind;
};

describe('readPytestSection', () => {
  test.each([
    ['pyproject.toml', '[tool.pytest.ini_options]\npythonpath = ["src"]\n', ['src']],
    ['pyproject.toml', '[tool.pytest.ini_options]\npythonpath = [\n  "src",  # code\n  \'lib\',\n]\n', ['src', 'lib']],
    ['pyproject.toml', 'tool.pytest.ini_options.pythonpath = "src lib"\n', ['src', 'lib']],
    ['pyproject.toml', '[tool]\npytest.ini_options = { pythonpath = ["a"] }\n', ['a']],
    ['pyproject.toml', '[tool.pytest.ini_options]\naddopts = "-q"\n', []],
    ['pyproject.toml', '[tool.pytest.ini_options]\n', []],
    ['pyproject.toml', '[tool.pytest]\npythonpath = ["src"]\n', ['src']],
    ['pyproject.toml', '[tool.pytest]\npythonpath = "src"\n', null],
    ['pyproject.toml', '[project]\nname = "x"\n', 'none'],
    ['pyproject.toml', '[tool.pytest.ini_options\npythonpath = ["src"]\n', 'unreadable'],
    ['pyproject.toml', '[tool.pytest]\nx = 1\n[tool.pytest.ini_options]\ny = 1\n', 'unreadable'],
    ['pytest.toml', '[pytest]\npythonpath = ["src"]\n', ['src']],
    ['pytest.toml', '', []],
    ['pytest.ini', '[pytest]\npythonpath = src lib\n', ['src', 'lib']],
    ['pytest.ini', '[pytest]\npythonpath =\n    src\n    "my lib"\n', ['src', 'my lib']],
    ['pytest.ini', '', []],
    ['pytest.ini', 'pythonpath = src\n', 'unreadable'],
    ['tox.ini', '[tox]\nenvlist = py3\n', 'none'],
    ['tox.ini', '[pytest]\npythonpath: src\n', ['src']],
    ['setup.cfg', '[tool:pytest]\npythonpath = src # not a comment\n', ['src', '#', 'not', 'a', 'comment']],
    ['setup.cfg', '[pytest]\npythonpath = src\n', 'unreadable'],
    ['setup.cfg', '[metadata]\nname = x\n', 'none'],
  ])('%s holding %j gives %j', (name, text, expected) => {
    expect(pythonpath(name, text)).toEqual(expected);
  });
});

test.each([
  ['src lib', ['src', 'lib']],
  ['"a b" c', ['a b', 'c']],
  ["'x y'z", ['x yz']],
  ['a\\ b', ['a b']],
  ['"a\\"b"', ['a"b']],
  ['"unterminated', null],
  ['  ', []],
])('shlexSplit(%j) is %j', (text, expected) => {
  expect(shlexSplit(text)).toEqual(expected);
});

test.each(['a = 1\na = 2\n', 'k = [1,,2]\n', '[a]\n[a]\n', 'x = "open\n', 'k = "\\q"\n'])(
  'parseToml refuses %j, as tomllib does',
  (text) => {
    expect(() => parseToml(text)).toThrow();
  },
);

describe('pytestPythonpath', () => {
  const tree = (files: Record<string, string>) => ({
    isFile: (abs: string) => Object.hasOwn(files, abs),
    readText: (abs: string) => files[abs] ?? null,
  });

  test("a test gets its directory's configuration, a batch the ones above it too, each as its own front", () => {
    const found = pytestPythonpath(
      ['/p/tests/unit', '/p/tests/other', '/p/src/pkg'],
      tree({
        '/p/pyproject.toml': '[tool.pytest.ini_options]\npythonpath = ["src"]\n',
        '/p/tests/unit/pytest.ini': '[pytest]\npythonpath = ../helpers\n',
        '/p/tests/setup.cfg': '[metadata]\nname = x\n',
      }),
    );
    expect(found.fronts).toEqual([['/p/tests/helpers'], ['/p/src']]);
    expect(found.uncertain).toEqual(new Map());
    expect(found.read.sort()).toEqual(['/p/pyproject.toml', '/p/tests/setup.cfg', '/p/tests/unit/pytest.ini']);
  });

  test('the first name pytest looks for wins in a directory; one it cannot read makes the tests below uncertain', () => {
    const found = pytestPythonpath(
      ['/p/a', '/p/b'],
      tree({
        '/p/a/pytest.ini': '[pytest]\n',
        '/p/a/pyproject.toml': '[tool.pytest.ini_options]\npythonpath = ["x"]\n',
        '/p/b/tox.ini': '[pytest\n',
      }),
    );
    expect(found.fronts).toEqual([]);
    expect([...found.uncertain.keys()]).toEqual(['/p/b']);
  });
});

test.each([
  ['python3 -m pytest -q {files}', ['-q', '{files}']],
  [
    ['.venv/bin/pytest', '-x', '{file}'],
    ['-x', '{file}'],
  ],
  [['python3', '-m', 'unittest', '{file}'], null],
])('pytestArguments(%j) is %j', (command, expected) => {
  expect(pytestArguments(command)).toEqual(expected);
});

test.each([
  [['-q', '-p', 'no:cacheprovider', '{file}'], null],
  [['--rootdir', '.', '-x', '--cov=pkg', '--color=yes'], null],
  [['-c', 'other.ini'], '-c'],
  [['-cother.ini'], '-cother.ini'],
  [['-qc', 'other.ini'], '-qc'],
  [['--config-file=x.ini'], '--config-file=x.ini'],
  [['--config', 'x.ini'], '--config'],
  [['-o', 'pythonpath=src'], 'pythonpath=src'],
  [['--override-ini=pythonpath=src'], '--override-ini=pythonpath=src'],
  [['--', '-c'], null],
  [['-pno:cacheprovider', '-qp', 'no:warnings'], null],
  [['-p', 'tests.plugin'], '-p tests.plugin'],
  [['-ptests.plugin'], '-ptests.plugin'],
  [['-qp', 'pytest_cov'], '-qp pytest_cov'],
  [['-p'], '-p '],
])('uninterpretedPytestOption(%j) is %j', (words, expected) => {
  expect(uninterpretedPytestOption(words)).toEqual(expected);
});
