import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputCache } from '../../../src/config/input-cache.js';
import { setupImports } from '../../../src/config/setup-imports.js';
import type { RelPath } from '../../../src/types.js';

let tree: string | null = null;
afterEach(() => {
  if (tree !== null) fs.rmSync(tree, { recursive: true, force: true });
  tree = null;
});

function layout(files: Record<string, string>): string {
  tree = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-setup-imports-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(tree, rel)), { recursive: true });
    fs.writeFileSync(path.join(tree, rel), text);
  }
  return tree;
}

const ROOTS = ['test/setup.ts' as RelPath];
/** Past the racy margin (2 s), after which what was read can be proven unchanged by its stat. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 2200));

describe('setupImports', () => {
  it('follows tree files through relative imports and names an imported package by its package.json', () => {
    const t = layout({
      'test/setup.ts': "import 'dom-pkg';\nimport { a } from './a';\nimport './nowhere';\nimport fs from 'node:fs';\n",
      'test/a.ts': "export { b as a } from '../lib/b';\n",
      'lib/b.ts': "import type { T } from './types';\nexport const b = 1;\n",
      'lib/types.ts': 'export type T = number;\n',
      'lib/unrelated.ts': 'export const u = 1;\n',
      'node_modules/dom-pkg/package.json': '{ "name": "dom-pkg", "version": "1.0.0", "main": "main.js" }\n',
      'node_modules/dom-pkg/main.js': "require('./inner');\n",
      'node_modules/dom-pkg/inner.js': '',
    });
    expect(setupImports(t, ROOTS)).toEqual([
      'node_modules/dom-pkg/package.json',
      'test/a.ts',
      'lib/b.ts',
      'lib/types.ts',
    ]);
  });

  it('reuses a kept answer while nothing it read or consulted changed, and follows again when a file appears', async () => {
    const t = layout({ 'test/setup.ts': "import './helpers';\nimport './extra';\n", 'test/helpers.ts': '' });
    const first = new InputCache();
    expect(setupImports(t, ROOTS, first)).toEqual(['test/helpers.ts']);
    await settle();
    // Read within the racy margin: not proven, so followed again and kept anew.
    const second = InputCache.decode(first.encode());
    expect(setupImports(t, ROOTS, second)).toEqual(['test/helpers.ts']);
    expect(second.changed).toBe(true);
    const third = InputCache.decode(second.encode());
    expect(setupImports(t, ROOTS, third)).toEqual(['test/helpers.ts']);
    expect(third.changed).toBe(false);
    fs.writeFileSync(path.join(t, 'test/extra.ts'), "import '../lib/more';\n");
    fs.mkdirSync(path.join(t, 'lib'));
    fs.writeFileSync(path.join(t, 'lib/more.ts'), '');
    const fourth = InputCache.decode(third.encode());
    expect(setupImports(t, ROOTS, fourth)).toEqual(['test/helpers.ts', 'test/extra.ts', 'lib/more.ts']);
    expect(fourth.changed).toBe(true);
  });

  it("follows again when a source's imports change in place (same directory listing)", async () => {
    const t = layout({ 'test/setup.ts': "import './helpers';\n", 'test/helpers.ts': '', 'test/later.ts': '' });
    const first = new InputCache();
    await settle();
    expect(setupImports(t, ROOTS, first)).toEqual(['test/helpers.ts']);
    const fd = fs.openSync(path.join(t, 'test/helpers.ts'), 'r+');
    fs.writeSync(fd, "import './later';\n");
    fs.closeSync(fd);
    expect(setupImports(t, ROOTS, InputCache.decode(first.encode()))).toEqual(['test/helpers.ts', 'test/later.ts']);
  });
});
