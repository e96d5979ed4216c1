#!/usr/bin/env node
// Fixture tool for jobserver tests: appends "start <ns> <pid> <label>", sleeps
// SPAN_MS (default 300), then appends "end <ns> <pid> <label>" to $SPAN_LOG.
// Times are wall-clock ns (Date.now based), comparable across processes.
// SPAN_FAIL_ON=<label>: that label exits 1 right after logging start and end.
// SPAN_MEET=<n>: after logging its start, wait until the log holds n starts of
// its group (the label without its number: jobs/a, nested-), at most 20 s. Two
// jobs that can run at once then surely overlap, however slowly each starts:
// proof of parallelism that no sleep can give on a busy machine.
import fs from 'node:fs';

const log = process.env.SPAN_LOG;
const label = process.argv[2] ?? process.env.SPAN_LABEL ?? 'unlabelled';
if (!log) {
  console.error('span-probe: SPAN_LOG is not set');
  process.exit(2);
}
const ms = Number(process.env.SPAN_MS ?? '300');
const meet = Number(process.env.SPAN_MEET ?? '0');
const MEET_LIMIT_MS = 20_000;
const nowNs = () => String(BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6)));
const line = (what) => fs.appendFileSync(log, `${what} ${nowNs()} ${process.pid} ${label}\n`);
const group = (l) => l.replace(/\d.*$/, '');

function startsOfGroup() {
  const mine = group(label);
  return fs
    .readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('start ') && group(l.split(' ').slice(3).join(' ')) === mine).length;
}

line('start');
if (process.env.SPAN_FAIL_ON && process.env.SPAN_FAIL_ON === label) {
  line('end');
  process.exit(1);
}
const waitedSince = Date.now();
const afterMeeting = () => {
  if (meet > 0 && startsOfGroup() < meet && Date.now() - waitedSince < MEET_LIMIT_MS) setTimeout(afterMeeting, 20);
  else setTimeout(() => line('end'), ms);
};
afterMeeting();
