#!/usr/bin/env node
// Fixture tool for jobserver tests: appends "start <ns> <pid> <label>", sleeps
// SPAN_MS (default 300), then appends "end <ns> <pid> <label>" to $SPAN_LOG.
// Times are wall-clock ns (Date.now based), comparable across processes.
// SPAN_FAIL_ON=<label>: that label exits 1 right after logging start and end.
import fs from 'node:fs';

const log = process.env.SPAN_LOG;
const label = process.argv[2] ?? process.env.SPAN_LABEL ?? 'unlabelled';
if (!log) {
  console.error('span-probe: SPAN_LOG is not set');
  process.exit(2);
}
const ms = Number(process.env.SPAN_MS ?? '300');
const nowNs = () => String(BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6)));
const line = (what) => fs.appendFileSync(log, `${what} ${nowNs()} ${process.pid} ${label}\n`);

line('start');
if (process.env.SPAN_FAIL_ON && process.env.SPAN_FAIL_ON === label) {
  line('end');
  process.exit(1);
}
setTimeout(() => {
  line('end');
}, ms);
