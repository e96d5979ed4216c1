// Which jobs a watch cycle plans alone (issue 17, point 3), and the outlook
// such a plan leaves: pure logic over made-up tools, plans and summaries.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type NarrowCase, narrowedFiles } from '../../../src/api/watch-narrow.js';
import { type Outlook, outlookWith, sameOutlook } from '../../../src/api/watch-outlook.js';
import type { ScanSummary } from '../../../src/api/run-report.js';
import type { LatchedTool } from '../../../src/config/index.js';
import type { Plan, PlannedJob } from '../../../src/plan/index.js';
import type { RelPath } from '../../../src/types.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'watch-narrow-'));
fs.mkdirSync(path.join(root, 'pkg'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const tool = (name: string, over: { deps?: string; outputs?: string[] } = {}): LatchedTool =>
  ({ config: { name, deps: over.deps ?? 'none', outputs: over.outputs ?? [] } }) as unknown as LatchedTool;

const summary = (over: Partial<ScanSummary> = {}): ScanSummary => ({
  tracked: 3,
  new: 0,
  changed: 1,
  removed: 0,
  hashed: 1,
  issues: [],
  unreadable: { files: 0, directories: 0 },
  ...over,
});

const files = new Map([
  ['pkg/a.py', {}],
  ['pkg/b.py', {}],
  ['c.py', {}],
]) as unknown as NarrowCase['tree']['files'];

function narrowCase(over: Partial<NarrowCase> = {}): NarrowCase {
  return {
    paths: new Set(['pkg/a.py' as RelPath]),
    tree: { root, files },
    summary: summary(),
    tools: [tool('lint')],
    prior: { fresh: 3, jobs: new Map() },
    wholePlan: false,
    ...over,
  };
}

describe('narrowedFiles', () => {
  it('every job fresh, an edited file: only that file', () => {
    expect(narrowedFiles(narrowCase())).toEqual(new Set(['pkg/a.py']));
  });

  it('an untracked file named with a tracked one: the tracked one only', () => {
    const paths = new Set(['pkg/a.py', 'notes.md'] as RelPath[]);
    expect(narrowedFiles(narrowCase({ paths }))).toEqual(new Set(['pkg/a.py']));
  });

  it.each<[string, Partial<NarrowCase>]>([
    ['the whole tree scanned, a config reloaded, a tool changed or a key', { wholePlan: true }],
    ['a new file (a job came)', { summary: summary({ new: 1 }) }],
    ['a removed file (a job went)', { summary: summary({ removed: 1 }) }],
    ['a file that could not be read', { summary: summary({ issues: [{ path: 'x', kind: 'unreadable' } as never] }) }],
    ['a tool that reads imports', { tools: [tool('lint'), tool('test', { deps: 'python' })] }],
    ['a tool whose outputs may need putting back', { tools: [tool('build', { outputs: ['out/{file}.o'] })] }],
    ['a cached failure (listed by every cycle)', { prior: { fresh: 2, jobs: new Map([['lint\0c.py', 'x']]) } }],
    ['a directory named (its files not)', { paths: new Set(['pkg' as RelPath]) }],
  ])('plans every job after %s', (_what, over) => {
    expect(narrowedFiles(narrowCase(over))).toBeNull();
  });
});

const planned = (name: string, p: string, state: 'fresh' | 'stale', fingerprint = 'f1'): PlannedJob =>
  ({
    job: { tool: tool(name), path: p, fingerprint },
    verdict: state === 'fresh' ? { state } : { state, reasons: [] },
  }) as unknown as PlannedJob;

const planOf = (listed: PlannedJob[]): Plan => ({
  jobs: listed.filter((p) => p.verdict.state !== 'fresh'),
  fresh: listed.filter((p) => p.verdict.state === 'fresh').length,
  unchecked: [],
  reused: [],
  listed,
});

describe('outlookWith', () => {
  const prior: Outlook = { fresh: 3, jobs: new Map() };

  it('a planned job gone stale leaves the fresh count one less, that job named', () => {
    const o = outlookWith(prior, planOf([planned('lint', 'pkg/a.py', 'stale', 'f2')]));
    expect(o).toEqual({ fresh: 2, jobs: new Map([['lint\0pkg/a.py', 'stale f2']]) });
    expect(sameOutlook(prior, o)).toBe(false);
  });

  it('a planned job still fresh leaves the outlook as it was', () => {
    expect(sameOutlook(prior, outlookWith(prior, planOf([planned('lint', 'pkg/a.py', 'fresh')])))).toBe(true);
  });

  it('a job named before and fresh now counts as fresh again', () => {
    const before: Outlook = { fresh: 2, jobs: new Map([['lint\0pkg/a.py', 'stale f2']]) };
    expect(outlookWith(before, planOf([planned('lint', 'pkg/a.py', 'fresh')]))).toEqual(prior);
  });
});
