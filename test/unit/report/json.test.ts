// --json keeps a job's flat fields (exitCode, signal, timedOut) byte for byte
// as before the union, in the same place among the job's keys.
import { describe, expect, it } from 'vitest';
import { jobJson, jobJsonText, runJson } from '../../../src/report/json.js';
import type { JobReport, RunReport } from '../../../src/api/run-report.js';
import { shownFiles } from '../../../src/report/style.js';
import { runReport } from '../../helpers/run-report.js';
import type { RelPath } from '../../../src/types.js';
import { EVERY_END } from '../../helpers/job-ends.js';

function report(over: Partial<JobReport>): JobReport {
  return {
    tool: 't',
    path: 'a.txt' as RelPath,
    status: 'failed',
    reasons: [],
    end: null,
    durationMs: 12.4,
    log: null,
    finishedAt: null,
    ...over,
  };
}

const style = { color: false, cwd: '/' };

describe('a job in --json', () => {
  it.each(EVERY_END)('issue 13: %s shows the exitCode, signal and timedOut it always had', (_what, end, _status, f) => {
    expect(JSON.stringify(jobJson(style, report({ end })))).toBe(
      `{"tool":"t","file":"a.txt","status":"failed","reasons":[],"reasonDetails":[],` +
        `"exitCode":${JSON.stringify(f.exitCode)},"signal":${JSON.stringify(f.signal)},"timedOut":${f.timedOut},"durationMs":12,"log":null,"finishedAt":null,"cached":false}`,
    );
  });

  it('a job that did not run has no exit code, no signal and no timeout', () => {
    expect(jobJson(style, report({ status: 'not-started', durationMs: null }))).toMatchObject({
      exitCode: null,
      signal: null,
      timedOut: false,
    });
  });
});

describe('the run object in --json', () => {
  const jobs = [
    report({ status: 'passed', cached: true, log: '/logs/a.log', finishedAt: 1700000000000 }),
    report({ path: 'b.txt' as RelPath, status: 'passed', end: { kind: 'exit', code: 0 }, log: '/logs/b.log' }),
  ];
  const full = runReport(jobs, {
    deps: { javascript: { files: 2, edges: 1, unresolved: 0 } } as unknown as RunReport['deps'],
    mergedLog: '/logs/merged.log',
    staged: ['a.txt' as RelPath],
    shard: { index: 1, count: 2, assignment: 'paths' } as unknown as RunReport['shard'],
    since: { ref: 'main', changed: 1 } as unknown as RunReport['since'],
    remote: { url: 'http://127.0.0.1:1' } as unknown as RunReport['remote'],
  });

  it('issue 14: its keys come in the order they always had, jobs between counts and mergedLog', () => {
    const text = runJson(style, full, 0, '/junit.xml');
    expect(text.endsWith('}\n')).toBe(true);
    const keys = [
      'command',
      'version',
      'exitCode',
      'dryRun',
      'interrupted',
      'durationMs',
      'scan',
      'deps',
      'counts',
      'jobs',
      'mergedLog',
      'staged',
      'shard',
      'since',
      'junit',
      'remote',
    ];
    expect(Object.keys(JSON.parse(text) as object)).toEqual(keys);
    // Compact, as JSON.stringify writes one object: parsing and writing it again gives the same text.
    expect(JSON.stringify(JSON.parse(text)) + '\n').toBe(text);
    // A run without the optional parts: the same order, less those.
    const bare = runJson(style, runReport([]), 1);
    const optional = ['deps', 'staged', 'shard', 'since', 'remote'];
    expect(Object.keys(JSON.parse(bare) as object)).toEqual(keys.filter((k) => !optional.includes(k)));
    expect(bare).toContain('"jobs":[],"mergedLog":null');
  });

  it('issue 14: jobs rendered ahead (jobJsonText) give the same text as jobs rendered with the object', () => {
    const logs = shownFiles(style);
    const ahead = new Map([[jobs[0]!, jobJsonText(style, jobs[0]!, logs)]]);
    expect(runJson(style, full, 0, null, ahead)).toBe(runJson(style, full, 0, null));
    expect(JSON.parse(runJson(style, full, 0)).jobs).toEqual(jobs.map((j) => jobJson(style, j)));
  });
});
