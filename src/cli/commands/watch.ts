// runner watch: a full run, then a cycle each time files change, until Ctrl-C.
import { type Command, InvalidArgumentError } from 'commander';
import type { EventSink } from '../../api.js';
import { EXIT, exitForRun, exitForSignal } from '../exit-codes.js';
import { onExit } from '../cleanup.js';
import { interruptOnSignals } from '../signals.js';
import { readWatchKeys } from '../watch-keys.js';

interface WatchFlags {
  clear?: boolean;
  debounce: number;
  failFast?: boolean;
  tool?: string[];
  jobserver?: boolean;
}

function parseDebounce(value: string): number {
  if (!/^\d+$/.test(value))
    throw new InvalidArgumentError('expected a whole number of milliseconds, e.g. --debounce 200');
  return Number(value);
}

export function addWatchCommand(program: Command): void {
  program
    .command('watch')
    .description(
      'run the stale jobs, then again each time files change (only the changed files and their dependents), until Ctrl-C',
    )
    .option('--clear', 'clear the screen before each cycle (when stdout is a terminal)')
    .option('--debounce <ms>', 'start a cycle once no file has changed for MS milliseconds', parseDebounce, 200)
    .option('--fail-fast', 'in each cycle, start no job after the first failure (running jobs finish)')
    .option('--tool <name>', "run only this tool's jobs (repeatable)", (v: string, prev: string[] = []) => [...prev, v])
    .option('--no-jobserver', 'when not under make, do not serve a jobserver to the jobs')
    .action(async (flags: WatchFlags, cmd: Command) => {
      const [{ watch }, { JsonOutput }, { allOf, apiOptions, makeIo }, { CycleReporter }] = await Promise.all([
        import('../../api.js'),
        import('../../report/index.js'),
        import('../io.js'),
        import('../cycle-reporter.js'),
      ]);
      const io = makeIo(cmd);
      const json = io.globals.json === true;
      const signals = interruptOnSignals(io);
      // On a terminal, keys: q ends the watch as its own reason (exit 0), Ctrl-C as the signal it stands for.
      // One controller for both ways to stop (not AbortSignal.any, whose result Node 20 may collect).
      const stop = new AbortController();
      signals.signal.addEventListener('abort', () => stop.abort(signals.signal.reason), { once: true });
      const keys = readWatchKeys(process.stdin, {
        quit: () => stop.abort('q'),
        interrupt: () => process.kill(process.pid, 'SIGINT'),
      });
      // A fresh reporter per cycle: its progress line and counts start again.
      const reporter = new CycleReporter(io, { clear: flags.clear, keys: keys !== null });
      // One exit handler for the whole watch: each cycle's jobserver tokens replace the last one's.
      let releaseTokens = (): void => {};
      onExit(() => releaseTokens());
      const tokens: EventSink = {
        emit(e) {
          if (e.type === 'tokens-held') releaseTokens = e.releaseAll;
        },
      };
      // With --json, each cycle's object goes after the text reporter has said what it says on stderr.
      const jsonOut = json ? new JsonOutput({ style: io, out: io.out, exitCode: exitForRun }) : null;
      try {
        const report = await watch({
          ...apiOptions(io, allOf(tokens, reporter, jsonOut), flags.failFast === true ? { failFast: true } : {}),
          signal: stop.signal,
          requests: keys?.requests,
          tools: flags.tool,
          debounceMs: flags.debounce,
          serveJobserver: flags.jobserver === false ? false : 'pipe',
        });
        reporter.close();
        const byKey = report.interrupted === 'q';
        process.exitCode = report.interrupted === null || byKey ? EXIT.ok : exitForSignal(report.interrupted);
        if (!json)
          io.err.write(
            `runner: stopped watching${report.interrupted === null ? '' : ` (${report.interrupted})`}; every finished result is recorded\n`,
          );
      } finally {
        keys?.dispose();
        signals.dispose();
      }
    });
}
