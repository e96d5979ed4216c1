// Public surface of exec/.
export { spawnJob, KILL_GRACE_MS, type JobOutcome } from './spawn.js';
export { killRunningJobs } from './kill.js';
export type { JobCommand, TerminalSize } from './job-command.js';
export { prepareWatchdog, releaseWatchdog } from './watchdog.js';
export { FILES_MARK, fileArgument, isBatchCommand, substituteFile, substituteFiles, shellQuote } from './command.js';
export { DEFAULT_TERMINAL_SIZE, DEFAULT_TERM, loadTerminalSupport } from './pty.js';
export { type JobStart, NATIVE_SPAWN_ENV, jobStartFor, startsNatively } from './native-spawn.js';
