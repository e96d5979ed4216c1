// The words for imports that resolve nowhere (issue 11, "Never silent").
import { describe, expect, it } from 'vitest';
import type { UnresolvedImport } from '../../../src/deps/index.js';
import { describeUnresolvedDependency, renderUnresolvedImports } from '../../../src/report/index.js';
import type { RelPath } from '../../../src/types.js';

const found = (specifier: string, kind: UnresolvedImport['kind'], first: string, files = 1): UnresolvedImport => ({
  specifier,
  kind,
  first: first as RelPath,
  files,
});

const CLOSING =
  'runner: warning: runner sees no code behind these imports, so a change there re-runs no job (a job runs again once its import resolves); list known ones in "ignoreUnresolved" to silence this\n';

describe('renderUnresolvedImports', () => {
  it('says nothing for nothing', () => {
    expect(renderUnresolvedImports([])).toEqual([]);
  });

  it('gives one line per specifier, naming the first importer and how many more, with what would provide it', () => {
    expect(
      renderUnresolvedImports([
        found('#imports', 'subpath', 'app.ts'),
        found('@/util', 'alias', 'web/page.tsx'),
        found('left-pad', 'package', 'src/a.ts', 2),
        found('lodash', 'package', 'src/b.ts', 12),
        found('virtual:pwa', 'scheme', 'src/main.ts'),
      ]),
    ).toEqual([
      'runner: warning: import "#imports" in app.ts resolves nowhere: no package.json "imports" or tsconfig.json "paths" entry provides it\n',
      'runner: warning: import "@/util" in web/page.tsx resolves nowhere: no tsconfig.json "paths" entry provides it\n',
      'runner: warning: import "left-pad" in src/a.ts and 1 more file resolves nowhere: no node_modules provides it\n',
      'runner: warning: import "lodash" in src/b.ts and 11 more files resolves nowhere: no node_modules provides it\n',
      'runner: warning: import "virtual:pwa" in src/main.ts resolves nowhere: runner does not resolve "virtual:" imports\n',
      CLOSING,
    ]);
  });

  it('past five specifiers, says how many in one line, with the most imported as the example', () => {
    const many = ['a', 'b', 'c', 'd', 'e', 'f'].map((s, i) => found(s, 'package', `src/${s}.ts`, i === 3 ? 40 : 2));
    expect(renderUnresolvedImports(many)).toEqual([
      'runner: warning: 6 imports resolve nowhere, e.g. "d" in src/d.ts and 39 more files (has `npm install` run?); `runner scan --json` lists them all\n',
      CLOSING,
    ]);
  });

  it('asks about npm install only when a package is among them', () => {
    const aliases = ['a', 'b', 'c', 'd', 'e', 'f'].map((s) => found(`@/${s}`, 'alias', `src/${s}.ts`));
    expect(renderUnresolvedImports(aliases)[0]).toBe(
      'runner: warning: 6 imports resolve nowhere, e.g. "@/a" in src/a.ts; `runner scan --json` lists them all\n',
    );
  });
});

describe('describeUnresolvedDependency', () => {
  it('names the import chain from the file to the name', () => {
    expect(describeUnresolvedDependency('left-pad', ['test/a.test.ts', 'src/util.ts', 'left-pad'])).toBe(
      'depends on import left-pad resolving nowhere (test/a.test.ts -> src/util.ts -> left-pad): runs again once it resolves',
    );
  });
});
