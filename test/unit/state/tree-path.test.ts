import { describe, expect, it } from 'vitest';
import { argumentPath, isOutside, relativePath, treePath } from '../../../src/tree-path.js';

describe('tree paths', () => {
  const root = '/work/tree';
  const rows: [string, string, string | null][] = [
    ['the root itself', '/work/tree', ''],
    ['a file at the top', '/work/tree/a.py', 'a.py'],
    ['a file below', '/work/tree/src/pkg/m.py', 'src/pkg/m.py'],
    ['a trailing slash', '/work/tree/src/', 'src'],
    ['the parent', '/work', null],
    ['a sibling tree sharing a prefix', '/work/tree-2/a.py', null],
    ['elsewhere', '/usr/lib/python3/os.py', null],
    ['issue 13: a name that only begins with two dots', '/work/tree/..hidden/x', '..hidden/x'],
    ['issue 13: a file named "..."', '/work/tree/...', '...'],
  ];
  for (const [what, abs, inside] of rows) {
    it(`${what}: ${inside === null ? 'outside the tree' : `"${inside}"`}`, () => {
      expect(treePath(root, abs)).toBe(inside);
      expect(isOutside(relativePath(root, abs))).toBe(inside === null);
    });
  }

  it('a path outside the tree keeps its relative form for callers that want it', () => {
    expect(relativePath(root, '/work/other/b.py')).toBe('../other/b.py');
    expect(relativePath(root, '/work')).toBe('..');
  });
});

describe('issue 15: FILE arguments', () => {
  const rows: [string, string | undefined, string, string][] = [
    ['relative to the directory runner started in', undefined, 'ops.py', '/work/tree/calc/ops.py'],
    ['relative to -C DIR, itself relative to that directory', '..', 'calc/ops.py', '/work/tree/calc/ops.py'],
    ['-C DIR given absolute', '/elsewhere', 'a.py', '/elsewhere/a.py'],
    ['an absolute argument whatever -C says', 'sub', '/work/x.py', '/work/x.py'],
    ['"." names the directory itself', 'sub', '.', '/work/tree/calc/sub'],
  ];
  for (const [what, dir, arg, abs] of rows) {
    it(`${what}: ${arg} -> ${abs}`, () => {
      expect(argumentPath('/work/tree/calc', dir, arg)).toBe(abs);
    });
  }
});
