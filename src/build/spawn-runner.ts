// The real command runner: each job a process of its own (exec/spawn.ts), the
// watchdog let go once none runs. What `run()` uses unless given another.
import { type JobStart, prepareWatchdog, releaseWatchdog, spawnJob } from '../exec/index.js';
import type { CommandRunner } from './command-runner.js';

/** A runner whose plain jobs start as `how` says (exec/native-spawn.ts). */
export function spawnRunnerWith(how: JobStart): CommandRunner {
  /** No job has started since the last idle(): the next is a build's first. */
  let first = true;
  return {
    // The watchdog starts on the addon's thread while the run gets ready; the first job waits only for what is left.
    prepare: () => prepareWatchdog(how),
    start: (command, signal) => {
      // A build's first job creates its log before it starts, so a state directory that takes no log stops the
      // build there; every later job creates its log at its first byte, and a silent one none (issue 17, point 4).
      const creation = first ? 'now' : 'at-first-byte';
      first = false;
      return spawnJob(command, signal, creation, how);
    },
    // The next run's first job starts another watchdog: a library caller that runs again keeps no idle process.
    idle: () => {
      first = true;
      releaseWatchdog();
    },
  };
}

/** Through runner's native addon when it is built (posix_spawn, no fork of runner), else child_process. */
export const spawnRunner: CommandRunner = spawnRunnerWith('native');
