// Disk full and a read-only state are not corruption: runner says what
// happened (the device, the file, the mode), exits 2, keeps every recorded
// result and never caches a failure its own I/O caused. A real tmpfs stands
// in for the full or read-only disk (the tests run as root, in CI too).
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { runJson, runRunner, show, startRunner } from '../helpers/cli.js';
import { PROBE_SCRIPT, probeOnly, readProbeLog, resetProbeLog, setProbeControl } from '../helpers/probe.js';
import {
  appendText,
  type Sandbox,
  readConfig,
  useFixture,
  waitFor,
  writeConfig,
  writeText,
} from '../helpers/sandbox.js';
import { fillUp, mountTmpfs, remount } from '../helpers/tmpfs.js';

const ALL = [
  'calc/__init__.py',
  'calc/ops.py',
  'calc/stats.py',
  'tests/test_ops.py',
  'tests/test_stats.py',
  'tools/linelen.py',
];

/** The probe on every python file, its state directory (the default .runner) on a fresh 2 MB tmpfs. */
function onSmallDisk(probe: Parameters<typeof probeOnly>[1] = {}): { sb: Sandbox; state: string } {
  const sb = useFixture('python-demo');
  probeOnly(sb, probe);
  const state = path.join(sb.tree, '.runner');
  mountTmpfs(state, '2m');
  return { sb, state };
}

/** Runs once, every job passing and recorded; then calc/ops.py changes, so exactly one job is stale. */
async function recordAllThenChangeOne(sb: Sandbox): Promise<void> {
  const first = await runJson(['run'], { cwd: sb.tree });
  expect(first.res.code, show(first.res)).toBe(0);
  expect(readProbeLog(sb).finished.sort()).toEqual(ALL);
  appendText(sb, 'calc/ops.py', '\n# changed\n');
  resetProbeLog(sb);
}

/** Every result recorded before is still there: only the changed file's job runs. */
async function expectOnlyTheChangedJobRuns(sb: Sandbox, opts: { withoutDac?: boolean } = {}): Promise<string> {
  const { res, json } = await runJson(['run'], { cwd: sb.tree, ...opts });
  expect(res.code, show(res)).toBe(0);
  expect(readProbeLog(sb).started).toEqual(['calc/ops.py']);
  expect(json.counts.fresh).toBe(ALL.length - 1);
  return res.stderr;
}

test('issue 12: a disk full before the run is named with its device, exit 2, nothing runs; once space is back nothing fresh runs again', async () => {
  const { sb, state } = onSmallDisk();
  await recordAllThenChangeOne(sb);
  const filler = fillUp(state);
  const res = await runRunner(['run'], { cwd: sb.tree });
  expect(res.code, show(res)).toBe(2);
  // The lock is the first file runner writes.
  expect(res.stderr).toBe(
    `runner: error: ${state}/lock.turn.db: no space left on tmpfs mounted at ${state}; ` +
      'every recorded result is kept; free some space there and run again\n',
  );
  expect(readProbeLog(sb).started).toEqual([]);
  fs.rmSync(filler);
  await expectOnlyTheChangedJobRuns(sb);
});

test('issue 12: a disk that fills during the run stops it with exit 2 naming the device; the results recorded before are kept', async () => {
  const sb = useFixture('python-demo');
  // The changed file's job fills the disk when told to, then passes: recording its result is what fails.
  const fillNow = path.join(sb.scratch, 'fill-now');
  const state = path.join(sb.tree, '.runner');
  const fill = `if [ -e ${fillNow} ]; then head -c 4000000 /dev/zero > ${state}/filler 2>/dev/null; fi; exit 0`;
  // Its own output goes nowhere: runner copies a job's output into its log as it reads it (issue 17), so output
  // written just before the disk fills may meet the full disk there, which is another case (the next test).
  probeOnly(sb, { command: ['sh', '-c', `node ${PROBE_SCRIPT} "$1" >/dev/null && { ${fill}; }`, 'sh', '{file}'] });
  mountTmpfs(state, '2m');
  await recordAllThenChangeOne(sb);
  fs.writeFileSync(fillNow, '');
  const res = await runRunner(['run', '-j', '1'], { cwd: sb.tree });
  expect(res.code, show(res)).toBe(2);
  expect(res.stderr).toBe(
    `runner: error: ${state}/manifest.db: no space left on tmpfs mounted at ${state}; ` +
      'every recorded result is kept; free some space there and run again\n',
  );
  expect(readProbeLog(sb).finished).toEqual(['calc/ops.py']);
  fs.rmSync(fillNow);
  fs.rmSync(path.join(state, 'filler'));
  resetProbeLog(sb);
  // Its result never got recorded: it runs again; every other job stays fresh.
  await expectOnlyTheChangedJobRuns(sb);
});

test('issue 12: a scan too large for the disk, written while its job runs, stops the run with exit 2; nothing of the job is recorded', async () => {
  const { sb, state } = onSmallDisk({ include: ['calc/ops.py'] });
  const config = readConfig(sb);
  writeConfig(sb, { ...config, include: [...((config.include as string[] | undefined) ?? []), 'data/**'] });
  const first = await runJson(['run'], { cwd: sb.tree });
  expect(first.res.code, show(first.res)).toBe(0);
  expect(readProbeLog(sb).finished).toEqual(['calc/ops.py']);
  // Many new names make the scan's write (after the job has started) far larger than what is left on the disk.
  for (let d = 0; d < 30; d++) {
    for (let f = 0; f < 100; f++) writeText(sb, `data/directory-${d}/a-file-with-a-long-name-${f}.txt`, `${d} ${f}\n`);
  }
  appendText(sb, 'calc/ops.py', '\n# changed\n');
  resetProbeLog(sb);
  const filler = fillUp(state, 64 * 1024);
  const res = await runRunner(['run'], { cwd: sb.tree });
  expect(res.code, show(res)).toBe(2);
  expect(res.stderr).toBe(
    `runner: error: ${state}/manifest.db: no space left on tmpfs mounted at ${state}; ` +
      'every recorded result is kept; free some space there and run again\n',
  );
  fs.rmSync(filler);
  resetProbeLog(sb);
  // The job's result was not recorded (its scan never was): it runs again, to its end.
  const again = await runJson(['run'], { cwd: sb.tree });
  expect(again.res.code, show(again.res)).toBe(0);
  expect(readProbeLog(sb).finished).toEqual(['calc/ops.py']);
  expect(again.json.counts).toMatchObject({ ran: 1, fresh: 0 });
});

test('issue 12: a job that failed only because its log could not be written (disk full) is not cached: it runs again once space is back', async () => {
  const sb = useFixture('python-demo');
  const state = path.join(sb.tree, '.runner');
  mountTmpfs(state, '2m');
  // A tool whose output (1 MB) does not fit on the disk: head fails writing it, and so does the job.
  writeConfig(sb, {
    include: ['calc/ops.py'],
    env: { PROBE_DIR: sb.scratch },
    tools: [
      { name: 'loud', command: ['sh', '-c', `node ${PROBE_SCRIPT} "$1" && head -c 1000000 /dev/zero`, 'sh', '{file}'] },
    ],
  });
  // The state directory first holds runner's database (a new one holding only other files is refused), then the disk fills.
  const scan = await runRunner(['scan'], { cwd: sb.tree });
  expect(scan.code, show(scan)).toBe(0);
  const filler = fillUp(state, 512 * 1024);
  const first = await runJson(['run'], { cwd: sb.tree });
  expect(first.res.code, show(first.res)).toBe(1);
  expect(first.json.counts.failed).toBe(1);
  expect(first.res.stderr).toContain(
    `runner: warning: loud calc/ops.py: cannot write the job's log ` +
      `(no space left on tmpfs mounted at ${state}); not recorded, it runs again next time\n`,
  );

  fs.rmSync(filler);
  resetProbeLog(sb);
  const second = await runJson(['run'], { cwd: sb.tree });
  expect(second.res.code, show(second.res)).toBe(0);
  expect(readProbeLog(sb).finished).toEqual(['calc/ops.py']);
  expect(second.json.counts.passed).toBe(1);
});

test('issue 12: a read-only file system under the state directory is named with its device, exit 2; read-write again, nothing fresh reruns', async () => {
  const { sb, state } = onSmallDisk();
  await recordAllThenChangeOne(sb);
  remount(state, 'ro');
  const res = await runRunner(['run'], { cwd: sb.tree });
  expect(res.code, show(res)).toBe(2);
  expect(res.stderr).toBe(
    `runner: error: ${state}: read-only file system (tmpfs mounted at ${state}); ` +
      'every recorded result is kept; remount it read-write, or use --state-dir DIR\n',
  );
  expect(readProbeLog(sb).started).toEqual([]);
  remount(state, 'rw');
  await expectOnlyTheChangedJobRuns(sb);
});

test('issue 12: a read-only state database is named as such (not as corrupt, no advice to clean), exit 2; writable again, nothing fresh reruns', async () => {
  const sb = useFixture('python-demo');
  probeOnly(sb);
  await recordAllThenChangeOne(sb);
  const db = path.join(sb.tree, '.runner', 'manifest.db');
  fs.chmodSync(db, 0o444);
  // Root writes a chmod 444 file anyway: run as root without that power, as a user would.
  const res = await runRunner(['run'], { cwd: sb.tree, withoutDac: true });
  expect(res.code, show(res)).toBe(2);
  expect(res.stderr).toBe(
    `runner: error: ${db}: the file is read-only (mode 0444); ` +
      'every recorded result is kept; make it writable (chmod u+w), or use --state-dir DIR\n',
  );
  expect(readProbeLog(sb).started).toEqual([]);
  fs.chmodSync(db, 0o644);
  await expectOnlyTheChangedJobRuns(sb, { withoutDac: true });
});

/**
 * A run killed after two results (-j 1): they are in the -wal only, which no
 * runner folded into the database; the -wal and -shm stay behind. Returns the
 * files in the order their jobs started (the third hung and was killed too).
 */
async function killedAfterTwoResults(sb: Sandbox): Promise<{ db: string; started: string[] }> {
  setProbeControl(sb, 'hang-after', '2');
  const killed = startRunner(['run', '-j', '1'], { cwd: sb.tree });
  const log = await waitFor('the third job to start', () =>
    readProbeLog(sb).started.length === 3 ? readProbeLog(sb) : undefined,
  );
  killed.child.kill('SIGKILL');
  await killed.result;
  process.kill(log.pids.get(log.started[2]!)!, 'SIGKILL'); // the hanging job, left running by the killed runner
  setProbeControl(sb, 'hang-after', null);
  resetProbeLog(sb);
  const db = path.join(sb.tree, '.runner', 'manifest.db');
  for (const f of [`${db}-wal`, `${db}-shm`]) expect(fs.existsSync(f), f).toBe(true);
  return { db, started: log.started };
}

test('issue 12: read-only -wal and -shm left behind stop failing once the database is writable again; the results only the -wal held are kept', async () => {
  const sb = useFixture('python-demo');
  probeOnly(sb);
  const { db, started } = await killedAfterTwoResults(sb);
  // The state made read-only, then its database alone made writable again.
  for (const f of [db, `${db}-wal`, `${db}-shm`]) fs.chmodSync(f, 0o444);
  fs.chmodSync(db, 0o644);

  const { res, json } = await runJson(['run', '-j', '1'], { cwd: sb.tree, withoutDac: true });
  expect(res.code, show(res)).toBe(0);
  expect(res.stderr).toBe(
    `runner: warning: ${db}-wal was read-only while its database is writable; made it writable again (nothing in it is lost)\n` +
      `runner: warning: ${db}-shm was read-only while its database is writable; made it writable again (nothing in it is lost)\n`,
  );
  expect(json.counts.fresh).toBe(2);
  expect(readProbeLog(sb).started).toEqual(started.slice(2).concat(ALL.filter((f) => !started.includes(f))));
  for (const f of [db, `${db}-wal`, `${db}-shm`]) {
    if (fs.existsSync(f)) expect((fs.statSync(f).mode & 0o200) !== 0, f).toBe(true);
  }
});

test('issue 12: a -wal another user owns is named with its owner and mode, exit 2, and left as it is; nothing runs', async () => {
  const sb = useFixture('python-demo');
  probeOnly(sb);
  const { db } = await killedAfterTwoResults(sb);
  const wal = `${db}-wal`;
  // As a runner run by another user leaves it (nobody: uid 65534).
  fs.chownSync(wal, 65534, 65534);
  const before = fs.readFileSync(wal);
  const res = await runRunner(['run'], { cwd: sb.tree, withoutDac: true });
  expect(res.code, show(res)).toBe(2);
  expect(res.stderr).toBe(
    `runner: error: ${wal}: permission denied (owner uid 65534, mode 0644; runner runs as uid 0); ` +
      'every recorded result is kept; give runner write access to it, or use --state-dir DIR\n',
  );
  expect(readProbeLog(sb).started).toEqual([]);
  expect(fs.statSync(wal).uid).toBe(65534);
  expect(fs.readFileSync(wal).equals(before)).toBe(true);
});
