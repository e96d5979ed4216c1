// Issue 14, point 7: a run that lists its fresh jobs (--json, --junit) reports
// them while its stale jobs run (the `fresh-listed` event), so that the JSON
// output renders them meanwhile rather than after the last job. Real jobs in
// a real state directory, through the library: the event's place among the
// others, and that the report lists the very same objects.
import fs from 'node:fs';
import { expect, test } from 'vitest';
import { type RunnerEvent, run } from '../../src/api.js';
import { RACY_MARGIN_MS } from '../../src/racy-margin.js';
import { jobsTree } from '../helpers/in-process.js';
import { type Sandbox, writeText } from '../helpers/sandbox.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };

async function listing(
  sb: Sandbox,
  listFresh = true,
): Promise<{ events: RunnerEvent[]; report: Awaited<ReturnType<typeof run>> }> {
  const events: RunnerEvent[] = [];
  const report = await run({
    cwd: sb.tree,
    env,
    listFresh,
    serveJobserver: false,
    events: { emit: (e) => events.push(e) },
  });
  return { events, report };
}

/** What the run said, in order: a job's end with its file, the listing with its files, and the plans. */
function said(events: RunnerEvent[]): string[] {
  return events.flatMap((e) => {
    if (e.type === 'job-finished') return [`finished ${e.job.path}`];
    if (e.type === 'fresh-listed') return [`listed ${e.jobs.map((j) => j.path).join(' ')}`];
    if (e.type === 'phase-started' && e.phase === 'plan') return ['plan'];
    return [];
  });
}

function expectListedAsReported(events: RunnerEvent[], report: Awaited<ReturnType<typeof run>>): void {
  const listed = events.flatMap((e) => (e.type === 'fresh-listed' ? e.jobs : []));
  const fresh = report.jobs.filter((j) => j.cached === true);
  expect(fresh.length).toBe(listed.length);
  fresh.forEach((j, i) => expect(j).toBe(listed[i]));
  for (const j of listed) expect(j).toMatchObject({ status: 'passed', cached: true, reasons: [] });
}

test('issue 14: a listing run says its fresh jobs while its stale job runs, and reports those same objects', async () => {
  const sb = jobsTree(4);
  expect((await listing(sb, false)).report.counts).toMatchObject({ ran: 4 });
  writeText(sb, 'jobs/a2.txt', 'job 2, edited\n');
  const { events, report } = await listing(sb);
  expect(report.counts).toMatchObject({ jobs: 4, ran: 1, passed: 1, fresh: 3 });
  expect(report.jobs.map((j) => [j.path, j.cached === true])).toEqual([
    ['jobs/a1.txt', true],
    ['jobs/a2.txt', false],
    ['jobs/a3.txt', true],
    ['jobs/a4.txt', true],
  ]);
  expect(said(events)).toEqual(['plan', 'listed jobs/a1.txt jobs/a3.txt jobs/a4.txt', 'finished jobs/a2.txt']);
  expectListedAsReported(events, report);

  // Nothing to run: nothing said ahead; the report lists every job all the same.
  const noop = await listing(sb);
  expect(said(noop.events)).toEqual(['plan']);
  expect(noop.report.jobs.map((j) => j.cached)).toEqual([true, true, true, true]);
});

test('issue 14: a listing run whose settled mark narrows it starts the edited job, then plans and lists the rest while it runs', async () => {
  const sb = jobsTree(4);
  await listing(sb, false);
  // Past the racy margin the stats are trusted; the no-op after it leaves the mark.
  await new Promise((resolve) => setTimeout(resolve, RACY_MARGIN_MS + 100));
  for (let i = 0; i < 2; i++) expect((await listing(sb, false)).report.counts).toMatchObject({ ran: 0 });
  fs.appendFileSync(`${sb.tree}/jobs/a3.txt`, 'edited\n');
  const { events, report } = await listing(sb);
  expect(report.counts).toMatchObject({ jobs: 4, ran: 1, fresh: 3 });
  // Two plans: the narrowed one its job starts from, then the whole one, listed before the job's end.
  expect(said(events)).toEqual(['plan', 'plan', 'listed jobs/a1.txt jobs/a2.txt jobs/a4.txt', 'finished jobs/a3.txt']);
  expectListedAsReported(events, report);
});
