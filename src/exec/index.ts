// Public surface of exec/.
export { spawnJob, killRunningJobs, KILL_GRACE_MS, type JobCommand, type JobOutcome } from './spawn.js';
export { releaseWatchdog } from './watchdog.js';
export { substituteFile, shellQuote } from './command.js';
export { DEFAULT_TERMINAL_SIZE, DEFAULT_TERM, type TerminalSize } from './pty.js';
