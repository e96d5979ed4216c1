import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as layout from '../../../src/state-dir.js';
import { isStagedEntry, isStateEntry, tempTreeOwner } from '../../../src/state-dir.js';

const dir = '/tmp/some state';

describe('state directory layout', () => {
  // Every path runner builds in a state directory, so that `runner clean` and the
  // check of a new state directory know each name runner can leave there.
  const built: [string, string][] = [
    ['manifest', layout.manifestPath(dir)],
    ['logs', layout.logsDir(dir)],
    ['a log', layout.logFilePath(dir, 'abc-1.log')],
    ['running logs', layout.runningLogsDir(dir)],
    ['a running log', layout.runningLogPath(dir, 123, 4)],
    ['traces', layout.tracesDir(dir)],
    ['a trace', layout.traceFilePath(dir, 'f00')],
    ['the lock', layout.lockPath(dir)],
    ['the lock owner', layout.lockOwnerPath(dir)],
    ['the turnstile', layout.turnstilePath(dir)],
    ['the staged tree', layout.stagedTreePath(dir)],
    ['the staged index', layout.stagedIndexPath(dir)],
    ["git's lock on the staged index", layout.stagedIndexLockPath(dir)],
    ['the staged lock', layout.stagedLockPath(dir)],
    ['a temporary staged tree', layout.tempTreePrefix(dir, 77) + 'Xy12ab'],
  ];
  for (const [what, p] of built) {
    it(`${what} is built inside the state directory under a name runner owns`, () => {
      const rel = path.relative(dir, p);
      expect(rel.startsWith('..') || path.isAbsolute(rel)).toBe(false);
      expect(isStateEntry(rel.split(path.sep)[0]!)).toBe(true);
    });
  }

  it("the sqlite files beside the manifest and the locks are runner's", () => {
    for (const name of [
      'manifest.db',
      'manifest.db-wal',
      'manifest.db-shm',
      'lock.db',
      'lock.db-journal',
      'lock.turn.db',
      'lock.owner',
    ]) {
      expect(isStateEntry(name), name).toBe(true);
    }
  });

  it('names runner never creates are not its own', () => {
    for (const name of ['src', 'README.md', 'log', 'manifest', 'lock', 'stagedx', '.git', 'trace']) {
      expect(isStateEntry(name), name).toBe(false);
    }
  });

  it("the staged tree's entries are told apart by their exact names", () => {
    const rows: [string, boolean][] = [
      ['staged', true],
      ['staged.index', true],
      ['staged.index.lock', true],
      ['staged.lock', true],
      ['staged-123-abc', true],
      ['staged.files', false],
      ['staged.other', false],
      ['stagedx', false],
      ['logs', false],
    ];
    for (const [name, staged] of rows) expect(isStagedEntry(name), name).toBe(staged);
  });

  it('a temporary staged tree names the runner that wrote it', () => {
    expect(tempTreeOwner(path.basename(layout.tempTreePrefix(dir, 4242) + 'Ab3xYz'))).toBe(4242);
    expect(tempTreeOwner('staged-abc-Ab3xYz')).toBeNull();
    expect(tempTreeOwner('staged')).toBeNull();
    expect(tempTreeOwner('logs')).toBeNull();
  });

  it('snapshot names stay those earlier versions stored (a new name would drop what they kept)', () => {
    expect([
      layout.PROGRAMS_SNAPSHOT,
      layout.INPUT_CACHE_SNAPSHOT,
      layout.PYTHON_IMPORTS,
      layout.JS_IMPORTS,
      layout.JS_GRAPH,
      layout.STAGED_PYTHON_IMPORTS,
      layout.STAGED_JS_GRAPH,
      layout.STAGED_FILES,
      layout.STAGED_SCANNED_AT,
    ]).toEqual([
      'programs',
      'input-digests',
      'imports.python',
      'imports.javascript',
      'graph.javascript',
      'staged.imports.python',
      'staged.graph.javascript',
      'staged.files',
      'staged.scanned-at',
    ]);
  });

  it('graph snapshots keep their companions beside them', () => {
    expect(layout.directSnapshotOf(layout.JS_GRAPH)).toBe('graph.javascript.direct');
    expect(layout.unresolvedSnapshotOf(layout.STAGED_JS_GRAPH)).toBe('staged.graph.javascript.unresolved');
    expect(layout.resolvedSnapshotOf(layout.PYTHON_IMPORTS)).toBe('imports.python.resolved');
  });
});
