// The tree a run works on is a value (src/api/tree-view.ts): two views over
// one session (the working tree, and a copy elsewhere as the staged tree is)
// find each their own dependencies, keep each their own import caches in the
// manifest, and leave the manifest's files the working tree's. Called in this
// process over a real state directory and a real python; no job runs.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { findDeps } from '../../src/api/find-deps.js';
import { scanAndSave, withSession } from '../../src/api/scan-and-save.js';
import { stagedTools } from '../../src/api/staged-tree.js';
import { STAGED_CACHES, treeView } from '../../src/api/tree-view.js';
import type { FileEntry } from '../../src/manifest/index.js';
import { compileSpec, scanTree } from '../../src/scan/index.js';
import { JS_GRAPH, PYTHON_IMPORTS, STAGED_JS_GRAPH, STAGED_PYTHON_IMPORTS } from '../../src/state-dir.js';
import type { RelPath } from '../../src/types.js';
import { RecordingReporter } from '../helpers/recording-reporter.js';
import { useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

const WORKING: Record<string, string> = {
  'src/a.js': "import { b } from './b.js';\nexport const a = b;\n",
  'src/b.js': 'export const b = 1;\n',
  'main.py': 'import helper\n',
  'helper.py': 'X = 1\n',
};

/** The same paths elsewhere, importing other files. */
const ELSEWHERE: Record<string, string> = {
  'src/a.js': "import { c } from './c.js';\nexport const a = c;\n",
  'src/c.js': 'export const c = 1;\n',
  'main.py': 'import other\n',
  'other.py': 'Y = 1\n',
};

const closure = (graph: { closure(p: RelPath): { files: ReadonlySet<string> } } | undefined, p: string): string[] =>
  [...(graph?.closure(p as RelPath).files ?? [])].filter((f) => f !== p).sort();

test("issue 13: the working tree and a tree elsewhere, over one session, find each their own dependencies, keep each their own caches, and leave the manifest's files the working tree's", async () => {
  const sb = useFixture('js-demo');
  for (const dir of ['src', 'test']) fs.rmSync(path.join(sb.tree, dir), { recursive: true, force: true });
  for (const [rel, text] of Object.entries(WORKING)) writeText(sb, rel, text);
  writeConfig(sb, {
    include: ['src/**', '*.py'],
    tools: [
      { name: 'js', command: ['cat', '{file}'], include: ['src/**/*.js'], deps: 'javascript' },
      { name: 'py', command: ['cat', '{file}'], include: ['*.py'], deps: 'python' },
    ],
  });
  const elsewhere = path.join(sb.root, 'elsewhere');
  for (const [rel, text] of Object.entries(ELSEWHERE)) {
    fs.mkdirSync(path.dirname(path.join(elsewhere, rel)), { recursive: true });
    fs.writeFileSync(path.join(elsewhere, rel), text);
  }
  const reporter = new RecordingReporter();
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };

  await withSession({ cwd: sb.tree, env, events: reporter }, async (s) => {
    const working = scanAndSave(s, reporter).tree;
    const trackedFiles = s.manifest.files;
    const first = await findDeps(s, working, reporter);
    const workingCaches = [s.manifest.blob(JS_GRAPH), s.manifest.blob(PYTHON_IMPORTS)];
    expect(workingCaches.every((b) => b !== undefined)).toBe(true);

    const { config } = s.loaded;
    const spec = compileSpec({ include: config.include, exclude: config.exclude, whitelist: null, skip: [] });
    const prior = { files: new Map<RelPath, FileEntry>(), dirs: new Map(), racyThresholdMs: 0, walkSpec: null };
    const view = treeView(
      elsewhere,
      scanTree({ sourceTree: elsewhere, spec, prior }).update.files,
      stagedTools(s, elsewhere, env),
      STAGED_CACHES,
    );
    const other = await findDeps(s, view, reporter);
    // The other tree's caches are its own: the working tree's stand as they were.
    expect([s.manifest.blob(JS_GRAPH), s.manifest.blob(PYTHON_IMPORTS)]).toEqual(workingCaches);
    expect(s.manifest.blob(STAGED_JS_GRAPH)).not.toEqual(workingCaches[0]);
    expect(s.manifest.blob(STAGED_PYTHON_IMPORTS)).toBeDefined();
    const again = await findDeps(s, working, reporter);

    expect(closure(first.graphs.get('javascript'), 'src/a.js')).toEqual(['src/b.js']);
    expect(closure(other.graphs.get('javascript'), 'src/a.js')).toEqual(['src/c.js']);
    expect(closure(again.graphs.get('javascript'), 'src/a.js')).toEqual(['src/b.js']);
    expect(closure(first.graphs.get('python'), 'main.py')).toEqual(['helper.py']);
    expect(closure(other.graphs.get('python'), 'main.py')).toEqual(['other.py']);
    expect(closure(again.graphs.get('python'), 'main.py')).toEqual(['helper.py']);
    // Nothing swapped the manifest's files for the other tree's, even for a while.
    expect(s.manifest.files).toBe(trackedFiles);
    expect([...s.manifest.files.keys()].sort()).toEqual(['helper.py', 'main.py', 'src/a.js', 'src/b.js']);
  });
});
