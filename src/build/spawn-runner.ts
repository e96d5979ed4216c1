// The real command runner: each job a process of its own (exec/spawn.ts), the
// watchdog let go once none runs. What `run()` uses unless given another.
import { releaseWatchdog, spawnJob } from '../exec/index.js';
import type { CommandRunner } from './command-runner.js';

export const spawnRunner: CommandRunner = {
  start: (command, signal) => spawnJob(command, signal),
  // The next run's first job starts another watchdog: a library caller that runs again keeps no idle process.
  idle: () => releaseWatchdog(),
};
