#!/usr/bin/env node
// Probe tool for integration tests: records which jobs started and finished, so
// a test counts what ran from outside the runner. Writes only under $PROBE_DIR.
//
// Usage: node slow-tool.mjs FILE   (FILE relative to the job's cwd, the source tree)
// $PROBE_DIR/probe.log   gets "start FILE PID" before and "end FILE CODE" after the
//                        sleep, appended with O_APPEND (one write per line).
// $PROBE_DIR/env/<FILE with / as __>.json   the exact environment the job saw.
// Control files, read at each start, so a test steers jobs without changing the
// config (which would change every fingerprint):
//   sleep-ms     milliseconds every job sleeps (default 0)
//   hang-after   K: a job that finds K or more "start" lines already in the log
//                sleeps 30 s instead, long enough to be interrupted (use with -j 1)
//   fail         "*" or one FILE per line: those jobs exit 1
// A FILE whose content contains the marker PROBE_FAIL also exits 1.
import fs from 'node:fs';
import path from 'node:path';

const HANG_MS = 30_000;
const file = process.argv[2];
const dir = process.env.PROBE_DIR;
if (!file || !dir) {
  console.error('usage: PROBE_DIR=DIR node slow-tool.mjs FILE');
  process.exit(2);
}
const log = path.join(dir, 'probe.log');

function control(name) {
  try {
    return fs.readFileSync(path.join(dir, name), 'utf8').trim();
  } catch {
    return null;
  }
}

function startedSoFar() {
  try {
    return fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('start ')).length;
  } catch {
    return 0;
  }
}

const envDir = path.join(dir, 'env');
fs.mkdirSync(envDir, { recursive: true });
fs.writeFileSync(path.join(envDir, file.replaceAll('/', '__') + '.json'), JSON.stringify(process.env));

const hangAfter = control('hang-after');
const sleepMs = hangAfter !== null && startedSoFar() >= Number(hangAfter) ? HANG_MS : Number(control('sleep-ms') ?? 0);
fs.appendFileSync(log, `start ${file} ${process.pid}\n`);

const failList = (control('fail') ?? '').split('\n').filter(Boolean);
const content = fs.readFileSync(file, 'utf8');
const fails = failList.includes('*') || failList.includes(file) || content.includes('PROBE_FAIL');

setTimeout(() => {
  const code = fails ? 1 : 0;
  console.log(fails ? `probe: failing ${file}` : `probe: ok ${file}`);
  fs.appendFileSync(log, `end ${file} ${code}\n`);
  process.exitCode = code;
}, sleepMs);
