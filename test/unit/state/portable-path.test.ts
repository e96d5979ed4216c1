// portablePath names a path below the source tree or HOME the same in every
// checkout and for every user; resolvePortable finds it again on this machine.
import { describe, expect, it } from 'vitest';
import { isLocalPath, portableNamer, portablePath, resolvePortable } from '../../../src/portable-path.js';

const roots = { sourceTree: '/work/a/tree', home: '/home/alice' };

describe('issue 16: paths in a key are named from the source tree and HOME', () => {
  it.each([
    ['/work/a/tree/.venv/lib/x.py', '<source-tree>/.venv/lib/x.py'],
    ['/work/a/tree', '<source-tree>'],
    ['/home/alice/.pyenv/versions/3.11.7/lib/json/__init__.py', '~/.pyenv/versions/3.11.7/lib/json/__init__.py'],
    ['/home/alicex/file', '/home/alicex/file'],
    ['/usr/lib/python3.11/json/__init__.py', '/usr/lib/python3.11/json/__init__.py'],
    ['app/util.py', 'app/util.py'],
    ['/work/a/treehouse/x.py', '/work/a/treehouse/x.py'],
  ])('%s is named %s, and found again', (abs, name) => {
    expect(portablePath(abs, roots)).toBe(name);
    expect(portableNamer(roots)(abs)).toBe(name);
    expect(resolvePortable(name, roots)).toBe(abs);
  });

  it('names a path that is not normalized as portablePath does', () => {
    for (const p of ['/work/a/tree/./x.py', '/work/a/tree//x.py', '/home/alice/../bob/x', '/work/a/tree/'])
      expect(portableNamer(roots)(p)).toBe(portablePath(p, roots));
  });

  it('prefers the source tree when it lies inside HOME', () => {
    expect(portablePath('/home/alice/proj/x.py', { sourceTree: '/home/alice/proj', home: '/home/alice' })).toBe(
      '<source-tree>/x.py',
    );
  });

  it('takes no HOME of "/", "" or a relative one as a root', () => {
    for (const home of ['/', '', 'rel', undefined]) expect(portablePath('/usr/x', { ...roots, home })).toBe('/usr/x');
  });

  it('says which absolute paths name this checkout or user', () => {
    expect(isLocalPath('/home/alice/.npmrc', roots)).toBe(true);
    expect(isLocalPath('/work/a/tree/x', roots)).toBe(true);
    expect(isLocalPath('/etc/hosts', roots)).toBe(false);
    expect(isLocalPath('~/x', roots)).toBe(false);
  });
});
