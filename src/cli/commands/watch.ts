// runner watch: a full run, then a cycle each time files change, until Ctrl-C.
import { type Command, InvalidArgumentError } from 'commander';
import { watch } from '../../api.js';
import { renderCycleStart, renderCycleStopped, renderIssueWarning, renderWatchStatus, watchCycleJson, watchErrorJson } from '../../report/index.js';
import { EXIT, exitForRun, exitForSignal } from '../exit-codes.js';
import { apiOptions, makeIo } from '../io.js';
import { onExit } from '../cleanup.js';
import { CycleReporter } from '../cycle-reporter.js';
import { interruptOnSignals } from '../signals.js';

interface WatchFlags {
  clear?: boolean;
  debounce: number;
  failFast?: boolean;
  tool?: string[];
  jobserver?: boolean;
}

/** Clears the screen and its scrollback, and puts the cursor at the top left. */
const CLEAR_SCREEN = '\x1b[2J\x1b[3J\x1b[H';

function parseDebounce(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number of milliseconds, e.g. --debounce 200');
  return Number(value);
}

export function addWatchCommand(program: Command): void {
  program
    .command('watch')
    .description('run the stale jobs, then again each time files change (only the changed files and their dependents), until Ctrl-C')
    .option('--clear', 'clear the screen before each cycle (when stdout is a terminal)')
    .option('--debounce <ms>', 'start a cycle once no file has changed for MS milliseconds', parseDebounce, 200)
    .option('--fail-fast', 'in each cycle, start no job after the first failure (running jobs finish)')
    .option('--tool <name>', 'run only this tool\'s jobs (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--no-jobserver', 'when not under make, do not serve a jobserver to the jobs')
    .action(async (flags: WatchFlags, cmd: Command) => {
      const io = makeIo(cmd);
      const json = io.globals.json === true;
      // A fresh reporter per cycle: its progress line and counts start again.
      const reporter = new CycleReporter(io);
      // One exit handler for the whole watch: each cycle's jobserver tokens replace the last one's.
      let releaseTokens = (): void => {};
      onExit(() => releaseTokens());
      let announced = 0;
      const signals = interruptOnSignals(io);
      try {
        const report = await watch({
          ...apiOptions(io, reporter, flags.failFast === true ? { failFast: true } : {}), signal: signals.signal,
          tools: flags.tool, debounceMs: flags.debounce, serveJobserver: flags.jobserver === false ? false : 'pipe',
          onTokensHeld: (release) => (releaseTokens = release),
          events: {
            cycleStarted: (c) => {
              reporter.begin();
              announced = c.cycle;
              if (flags.clear === true && process.stdout.isTTY === true) io.out.write(CLEAR_SCREEN);
              if (c.cycle > 1 && !json && io.globals.quiet !== true) io.out.write(renderCycleStart(c));
            },
            cycleFinished: (c) => {
              reporter.close();
              io.err.write(renderIssueWarning(c.report.scan));
              io.out.write(json ? watchCycleJson(io, c, exitForRun(c.report)) : renderWatchStatus(io, c));
            },
            configRejected: (err) => {
              io.err.write(`runner: error: ${err.message}\nrunner: keeping the previous config; still watching\n`);
            },
            cycleFailed: (err, cycle) => {
              reporter.close();
              if (cycle !== announced && !json && io.globals.quiet !== true) io.out.write(renderCycleStopped(cycle));
              io.err.write(`runner: error: ${err.message}\nrunner: this cycle stopped; the next change scans the whole tree; still watching\n`);
              if (json) io.out.write(watchErrorJson(cycle, err));
            },
            watcherError: (message) => {
              io.err.write(`runner: warning: the file watcher reported an error (${message}); scanning the whole tree\n`);
            },
          },
        });
        reporter.close();
        process.exitCode = report.interrupted === null ? EXIT.ok : exitForSignal(report.interrupted);
        if (!json) io.err.write(`runner: stopped watching${report.interrupted === null ? '' : ` (${report.interrupted})`}; every finished result is recorded\n`);
      } finally {
        signals.dispose();
      }
    });
}
