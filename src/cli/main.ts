// Entry point: parse, run one command, map errors to messages and exit codes.
// Loads only what the command given needs, when it needs it (issue 15): a
// bare `--version` reads package.json and nothing else; commander and each
// command's library code come in with dynamic import() (program.ts, commands/).
import fs from 'node:fs';
import { LockWaitInterruptedError, RunnerError } from '../errors.js';
// Not through api.js: the entry must not load the library before a command needs it.
import { killRunningJobs } from '../exec/kill.js';
import { packageFile } from '../package-root.js';
import { runCleanups } from './cleanup.js';
import { EXIT, exitForSignal } from './exit-codes.js';
import { interruptOnClosedOutput } from './signals.js';

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(packageFile('package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** `runner --version` alone (or -V): answered before commander loads; with anything else commander decides. */
function isVersionOnly(argv: string[]): boolean {
  return argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V');
}

/** The --json error object: report/ loads here on an error before any command loaded it (a usage error). */
async function jsonError(...args: Parameters<typeof import('../report/index.js').errorJson>): Promise<string> {
  return (await import('../report/index.js')).errorJson(...args);
}

async function main(argv: string[]): Promise<void> {
  const wantsJson = argv.includes('--json');
  const command = argv.slice(2).find((a) => !a.startsWith('-')) ?? 'runner';
  if (isVersionOnly(argv)) {
    process.stdout.write(`${version()}\n`);
    process.exitCode = EXIT.ok;
    return;
  }
  const [{ buildProgram }, { CommanderError }] = await Promise.all([import('./program.js'), import('commander')]);
  try {
    await buildProgram(version()).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end here too, with exit code 0.
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    runCleanups(); // a progress line still drawn goes before the message, not under it
    if (err instanceof RunnerError) {
      process.stderr.write(`runner: error: ${err.message}\n`);
      if (wantsJson) process.stdout.write(await jsonError(command, err.exitCode, err.kind, err.message));
      // Stopped by a signal before anything ran: the exit code names the signal, as for an interrupted run.
      process.exitCode = err instanceof LockWaitInterruptedError ? exitForSignal(err.fields.signal) : err.exitCode;
      return;
    }
    const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`runner: internal error: ${stack}\n`);
    if (wantsJson) process.stdout.write(await jsonError(command, EXIT.internal, 'internal', String(err)));
    process.exitCode = EXIT.internal;
  }
}

function crash(err: unknown): void {
  killRunningJobs(); // no job outlives runner; then its tokens can go back
  runCleanups();
  const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`runner: internal error: ${stack}\n`);
  process.exit(EXIT.internal);
}
// `runner --help | head -2`: a reader that stops early is not an error. Under
// a run it stops the run as SIGPIPE would (jobs stopped, results recorded,
// exit 141): a run whose jobs did not all run must not end with exit 0.
let outputClosed = false;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && !(outputClosed && err.code === 'ERR_STREAM_DESTROYED')) throw err;
    outputClosed = true;
    if (interruptOnClosedOutput()) return;
    runCleanups();
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok);
  });
}
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

/**
 * Ends the process once the command is done, rather than when the loop runs dry: that end first takes the
 * environment apart (V8's heap, the threads), about 3 ms of every command that nothing waits for. Only when
 * stdout and stderr hold nothing unwritten (pipes are written at once on Linux; elsewhere they may queue).
 */
function endNow(): void {
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
}

// Not a top-level await: the bundle is CommonJS (scripts/bundle.mjs), for V8's code cache.
main(process.argv).then(endNow, crash);
