#!/usr/bin/env node
// Probe tool for per-tool limits (issue 14, `serial` and `jobs`): one line per
// process, so a test reads from the log's order how many of a tool's processes
// were alive at once. Writes only $PROBE_DIR/processes.log.
//
// Usage: node limit-probe.mjs TOOL FILE...
// Appends "start TOOL PID NFILES" once started and "end TOOL PID" just before
// it exits (O_APPEND, one write each): a start line after another process's
// start and before its end means both were alive at once.
// How long it stays alive, all optional (its tool's env sets them):
//   PROBE_TOTAL=n    how many processes TOOL has in this run (the waits below stop once all have started)
//   PROBE_MEET=m     first wait until m of TOOL's processes are alive at once (or all have started),
//                    at most 20 s: proof that they may run side by side
//   PROBE_HOLD=k     then wait until k more of TOOL's processes have started after this one (or all
//                    have), at most PROBE_HOLD_MS (default 1500): with a limit of k that never happens,
//                    so the wait ends at its bound; a scheduler that broke the limit would start them
//                    meanwhile, and the log would show it. No assertion reads a time.
// A FILE whose content holds PROBE_FAIL makes the process exit 1 (a batch chunk then is narrowed).
import fs from 'node:fs';
import path from 'node:path';

const [tool, ...files] = process.argv.slice(2);
const dir = process.env.PROBE_DIR;
if (!tool || !dir) {
  console.error('usage: PROBE_DIR=DIR node limit-probe.mjs TOOL FILE...');
  process.exit(2);
}
const log = path.join(dir, 'processes.log');
const total = Number(process.env.PROBE_TOTAL ?? '0');
const meet = Number(process.env.PROBE_MEET ?? '0');
const hold = Number(process.env.PROBE_HOLD ?? '0');
const holdMs = Number(process.env.PROBE_HOLD_MS ?? '1500');
const MEET_LIMIT_MS = 20_000;

/** TOOL's lines so far: how many started, how many are alive, how many started after this one. */
function seen() {
  const lines = fs.readFileSync(log, 'utf8').split('\n');
  let started = 0;
  let alive = 0;
  let after = 0;
  let mine = false;
  for (const l of lines) {
    const [what, t, pid] = l.split(' ');
    if (t !== tool) continue;
    if (what === 'start') {
      started++;
      alive++;
      if (mine) after++;
      if (Number(pid) === process.pid) mine = true;
    } else if (what === 'end') alive--;
  }
  return { started, alive, after };
}

const allStarted = (s) => total > 0 && s.started >= total;

function waitUntil(done, limitMs, then) {
  const since = Date.now();
  const step = () => {
    if (done(seen()) || Date.now() - since >= limitMs) then();
    else setTimeout(step, 20);
  };
  step();
}

fs.appendFileSync(log, `start ${tool} ${process.pid} ${files.length}\n`);
waitUntil(
  (s) => meet <= 1 || s.alive >= meet || allStarted(s),
  MEET_LIMIT_MS,
  () =>
    waitUntil(
      (s) => hold === 0 || s.after >= hold || allStarted(s),
      holdMs,
      () => {
        fs.appendFileSync(log, `end ${tool} ${process.pid}\n`);
        if (files.some((f) => fs.readFileSync(f, 'utf8').includes('PROBE_FAIL'))) process.exitCode = 1;
      },
    ),
);
