// runner run [FILE...]: scan, then run the stale jobs.
import path from 'node:path';
import { type Command, Option } from 'commander';
import { exitForRun } from '../exit-codes.js';
import { onExit, undoAtExit } from '../cleanup.js';
import { interruptOnSignals } from '../signals.js';

interface RunFlags {
  dryRun?: boolean;
  force?: boolean;
  rerunFailed?: boolean;
  failFast?: boolean;
  tool?: string[];
  mergedLog?: string;
  jobserver?: boolean;
  jobserverStyle?: 'pipe' | 'fifo';
  staged?: boolean;
  framework?: boolean;
  since?: string;
  dependents?: boolean;
  shard?: string;
  shardBy?: 'durations' | 'count';
  junit?: string;
  trace?: string;
}

export function addRunCommand(program: Command): void {
  program
    .command('run')
    .description(
      'scan, then run the stale jobs (only those of FILE... when given; a directory selects what lies below it)',
    )
    .argument('[files...]', 'files or directories to restrict the run to')
    .option('--dry-run', 'print the plan and run nothing')
    .option('--force', 'run every selected job, fresh or not')
    .option('--rerun-failed', 'run cached failures again instead of reporting them')
    .option('--fail-fast', 'start no job after the first failure (running jobs finish)')
    .option('--tool <name>', "run only this tool's jobs (repeatable)", (v: string, prev: string[] = []) => [...prev, v])
    .option(
      '--staged',
      'check what is staged for commit: the jobs of the staged files and of the files that depend on them, run in a copy of the git index',
    )
    .option(
      '--framework',
      "as the pre-commit framework's hook, FILE... being the files it passes: in a git commit, what --staged checks; otherwise (run --all-files, --from-ref/--to-ref, pre-push) the jobs of FILE... and of the files that depend on them",
    )
    .option(
      '--since <ref>',
      'run the jobs of the files changed since git ref REF (from its merge base with HEAD, as `git diff REF...`, plus uncommitted and untracked changes) and of the files that depend on them; FILE... narrows it',
    )
    .option('--dependents', 'run the jobs of FILE... and of the files that depend on them (the tests that import them)')
    .option(
      '--shard <i/n>',
      'run shard I of N of the selected jobs, for N CI machines that split a suite (each job in exactly one shard)',
    )
    .addOption(
      new Option(
        '--shard-by <how>',
        "how --shard balances its shards: by counting jobs, or by each job's last recorded duration (only when every shard starts from the same state directory: shards that read different durations cut the jobs differently)",
      )
        .choices(['count', 'durations'])
        .default('count'),
    )
    .option('--merged-log <file>', "write every failure's log, under a header, into FILE")
    .option(
      '--junit <file>',
      'write a JUnit XML report of every job into FILE, fresh ones as cached passes (also when the run fails or is interrupted; not in a dry run)',
    )
    .option(
      '--trace <file>',
      "write the run as a Chrome trace into FILE (open it in https://ui.perfetto.dev): each job on a lane per token held at once, runner's scan, dependencies, plan and saves, and its waits for tokens (also when the run fails or is interrupted; not in a dry run)",
    )
    .option('--no-jobserver', 'when not under make, do not serve a jobserver to the jobs')
    .addOption(
      new Option(
        '--jobserver-style <style>',
        'the jobserver runner serves its jobs when not under make: pipe (GNU make 4.3 and later) or fifo (make 4.4, ninja 1.13)',
      )
        .choices(['pipe', 'fifo'])
        .default('pipe'),
    )
    .action(async (files: string[], flags: RunFlags, cmd: Command) => {
      const [{ run }, { JsonOutput, JunitOutput, TraceOutput, checkReportFile, shownPath }, cliIo] = await Promise.all([
        import('../../api.js'),
        import('../../report/index.js'),
        import('../io.js'),
      ]);
      const { allOf, apiOptions, makeIo, terminalSizeOf, textReporter } = cliIo;
      const io = makeIo(cmd);
      const reporter = textReporter(io);
      const extra = {
        ...(flags.failFast === true ? { failFast: true } : {}),
        ...(flags.mergedLog !== undefined ? { mergedLog: flags.mergedLog } : {}),
      };
      // Checked before anything runs: a report that cannot be written is a usage error, not a lost run.
      const junit = flags.junit === undefined ? null : path.resolve(io.cwd, flags.junit);
      if (junit !== null) checkReportFile('--junit', junit);
      const trace = flags.trace === undefined ? null : path.resolve(io.cwd, flags.trace);
      if (trace !== null) checkReportFile('--trace', trace);
      // When the run finishes: the JUnit file first (a dry run, also under `make -n`, writes none: nothing ran),
      // then the text (the bar goes, the summary unless --json), then the JSON, which names the JUnit file.
      const junitOut = junit === null ? null : new JunitOutput(io, junit);
      const json =
        io.globals.json === true
          ? new JsonOutput({ style: io, out: io.out, exitCode: exitForRun, junit: junitOut })
          : null;
      const signals = interruptOnSignals(io);
      // Written when the run finishes; on any other way out (an error, a stop that hangs) with what is known.
      const traceOut = trace === null ? null : new TraceOutput(trace, { title: 'runner run', pid: process.pid });
      if (traceOut !== null) {
        signals.signal.addEventListener('abort', () => traceOut.interrupted(String(signals.signal.reason)));
        onExit(() => traceOut.write());
      }
      try {
        const report = await run({
          ...apiOptions(io, allOf(undoAtExit, junitOut, traceOut, reporter, json), extra),
          signal: signals.signal,
          files,
          tools: flags.tool,
          dryRun: flags.dryRun,
          force: flags.force,
          rerunFailed: flags.rerunFailed,
          serveJobserver: flags.jobserver === false ? false : (flags.jobserverStyle ?? 'pipe'),
          staged: flags.staged,
          framework: flags.framework,
          since: flags.since,
          dependents: flags.dependents,
          shard: flags.shard,
          shardBy: flags.shardBy,
          // The reports that show the whole suite list the fresh jobs too (cached); without one a no-op only counts them.
          listFresh: junitOut !== null || json !== null,
          terminalSize: terminalSizeOf(),
        });
        // exit 2, but after the text summary: the results are recorded, the user should see them.
        if (junitOut !== null && junitOut.error !== null) throw junitOut.error;
        if (junitOut !== null && json === null) {
          io.out.write(
            junitOut.written === null
              ? 'runner: dry run: no JUnit report written\n'
              : `runner: JUnit report written to ${shownPath(io, junitOut.written)}\n`,
          );
        }
        if (traceOut !== null && traceOut.error !== null) throw traceOut.error;
        if (traceOut !== null && json === null) {
          io.out.write(
            traceOut.written === null
              ? 'runner: dry run: no trace written\n'
              : `runner: trace written to ${shownPath(io, traceOut.written)} (open it in https://ui.perfetto.dev)\n`,
          );
        }
        process.exitCode = exitForRun(report);
      } finally {
        traceOut?.write();
        reporter.close();
        signals.dispose();
      }
    });
}
