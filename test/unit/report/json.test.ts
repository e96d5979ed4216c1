// --json keeps a job's flat fields (exitCode, signal, timedOut) byte for byte
// as before the union, in the same place among the job's keys.
import { describe, expect, it } from 'vitest';
import { jobJson } from '../../../src/report/json.js';
import type { JobReport } from '../../../src/api/run-report.js';
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
