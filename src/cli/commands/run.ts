// runner run [FILE...]: scan, then run the stale jobs.
import path from 'node:path';
import { type Command, Option } from 'commander';
import { run } from '../../api.js';
import { checkReportFile, renderIssueWarning, renderJunit, renderNothingStaged, renderRunSummary, runJson, shownPath, writeReportFile } from '../../report/index.js';
import { exitForRun } from '../exit-codes.js';
import { apiOptions, makeIo, terminalSizeOf, textReporter } from '../io.js';
import { onExit } from '../cleanup.js';
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
  junit?: string;
}

export function addRunCommand(program: Command): void {
  program
    .command('run')
    .description('scan, then run the stale jobs (only those of FILE... when given; a directory selects what lies below it)')
    .argument('[files...]', 'files or directories to restrict the run to')
    .option('--dry-run', 'print the plan and run nothing')
    .option('--force', 'run every selected job, fresh or not')
    .option('--rerun-failed', 'run cached failures again instead of reporting them')
    .option('--fail-fast', 'start no job after the first failure (running jobs finish)')
    .option('--tool <name>', 'run only this tool\'s jobs (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--staged', 'check what is staged for commit: the jobs of the staged files and of the files that depend on them, run in a copy of the git index')
    .option('--merged-log <file>', 'write every failure\'s log, under a header, into FILE')
    .option('--junit <file>', 'write a JUnit XML report of every job that was not fresh into FILE (also when the run fails or is interrupted; not in a dry run)')
    .option('--no-jobserver', 'when not under make, do not serve a jobserver to the jobs')
    .addOption(new Option('--jobserver-style <style>', 'the jobserver runner serves its jobs when not under make: pipe (GNU make 4.3 and later) or fifo (make 4.4, ninja 1.13)')
      .choices(['pipe', 'fifo']).default('pipe'))
    .action(async (files: string[], flags: RunFlags, cmd: Command) => {
      const io = makeIo(cmd);
      const reporter = textReporter(io);
      const extra = { ...(flags.failFast === true ? { failFast: true } : {}), ...(flags.mergedLog !== undefined ? { mergedLog: flags.mergedLog } : {}) };
      // Checked before anything runs: a report that cannot be written is a usage error, not a lost run.
      const junit = flags.junit === undefined ? null : path.resolve(io.cwd, flags.junit);
      if (junit !== null) checkReportFile('--junit', junit);
      const signals = interruptOnSignals(io);
      try {
        const report = await run({
          ...apiOptions(io, reporter, extra), signal: signals.signal,
          files, tools: flags.tool, dryRun: flags.dryRun, force: flags.force, rerunFailed: flags.rerunFailed,
          serveJobserver: flags.jobserver === false ? false : flags.jobserverStyle ?? 'pipe',
          onTokensHeld: onExit, staged: flags.staged, onStagedTree: onExit,
          terminalSize: terminalSizeOf(),
        });
        reporter.close();
        io.err.write(renderIssueWarning(report.scan));
        const code = exitForRun(report);
        // A dry run (also under `make -n`) writes no report: nothing ran.
        const junitWritten = junit !== null && !report.dryRun ? junit : null;
        let junitError: unknown = null;
        try {
          if (junitWritten !== null) writeReportFile('--junit', junitWritten, renderJunit(io, report, new Date()));
        } catch (err) {
          junitError = err; // exit 2, but the text summary first: the results are recorded, the user should see them
          if (io.globals.json === true) throw err;
        }
        const nothingStaged = report.staged?.length === 0 && io.globals.json !== true;
        io.out.write(io.globals.json === true ? runJson(io, report, code, junitWritten) : nothingStaged ? renderNothingStaged() : renderRunSummary(io, report));
        if (junitError !== null) throw junitError;
        if (junit !== null && io.globals.json !== true) {
          io.out.write(junitWritten === null ? 'runner: dry run: no JUnit report written\n' : `runner: JUnit report written to ${shownPath(io, junitWritten)}\n`);
        }
        process.exitCode = code;
      } finally {
        reporter.close();
        signals.dispose();
      }
    });
}
