// Issue 14, point 7: a run starts its watchdog ahead of its first job (on the
// addon's thread, while it sets the run up). A library run that stops before
// any job starts still ends it, as a run's end does: no idle watchdog is left
// in the caller's process.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { run } from '../../src/api.js';
import { jobsTree } from '../helpers/in-process.js';
import { RecordingReporter } from '../helpers/recording-reporter.js';
import { waitFor } from '../helpers/sandbox.js';

/** This process's watchdogs (runner-watchdog PID on their command line), zombies included. */
function watchdogsOfThisProcess(): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes('runner-watchdog') && argv.includes(String(process.pid))) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

test('issue 14: a run that stops setting up after its watchdog was started leaves none behind', async () => {
  const sb = jobsTree(2);
  const stateDir = path.join(sb.root, 'state');
  fs.mkdirSync(stateDir);
  fs.writeFileSync(path.join(stateDir, 'logs'), ''); // the logs directory cannot be made: the run stops there
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };
  const result = run({ cwd: sb.tree, stateDir, env, events: new RecordingReporter(), serveJobserver: false });
  await expect(result).rejects.toMatchObject({ code: expect.stringMatching(/^E(EXIST|NOTDIR)$/) });
  await waitFor('no watchdog of this process', () => watchdogsOfThisProcess().length === 0, 5000);
});

test('issue 14: a run that runs jobs ends its watchdog with it', async () => {
  const sb = jobsTree(2);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };
  const report = await run({ cwd: sb.tree, env, events: new RecordingReporter(), serveJobserver: false });
  expect(report.counts).toMatchObject({ ran: 2, passed: 2 });
  await waitFor('no watchdog of this process', () => watchdogsOfThisProcess().length === 0, 5000);
});
