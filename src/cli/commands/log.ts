// runner log FILE: a job's last log as it was written, whole or one stream, raw bytes on stdout.
import { once } from 'node:events';
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';

interface LogFlags {
  tool?: string;
  stdout?: boolean;
  stderr?: boolean;
}

export function addLogCommand(program: Command): void {
  program
    .command('log')
    .description(
      "print FILE's last job log as the job wrote it (stdout and stderr merged in arrival order), or one stream",
    )
    .argument('<file>', 'a file in the source tree')
    .option(
      '--tool <name>',
      "only this tool's job (default: every tool's job of FILE that has run, each under a header)",
    )
    .option('--stdout', 'only what the job wrote to stdout, byte for byte')
    .option('--stderr', 'only what the job wrote to stderr, byte for byte')
    .addHelpText(
      'after',
      `
Exit codes: 0 printed; 1 a stream asked for cannot be told apart (a terminal
job, a log restored from the remote cache or recorded by an earlier runner);
2 no such tool, no job of FILE has run, its log is gone, or both --stdout and --stderr.`,
    )
    .action(async (file: string, flags: LogFlags, cmd: Command) => {
      const [
        { jobLog, readLogBytes },
        { renderLogHeader, renderStreamsUnknown },
        { apiOptions, makeIo, textReporter },
        { LogError },
      ] = await Promise.all([
        import('../../api.js'),
        import('../../report/index.js'),
        import('../io.js'),
        import('../../errors.js'),
      ]);
      if (flags.stdout === true && flags.stderr === true) throw new LogError({ kind: 'both-streams' });
      const stream = flags.stdout === true ? 'stdout' : flags.stderr === true ? 'stderr' : undefined;
      const io = makeIo(cmd);
      const reporter = textReporter(io);
      const report = await jobLog({
        ...apiOptions(io, reporter),
        file,
        ...(flags.tool === undefined ? {} : { tool: flags.tool }),
        ...(stream === undefined ? {} : { stream }),
      });
      reporter.close();
      let exit: number = EXIT.ok;
      const headers = report.logs.length > 1;
      for (const [i, view] of report.logs.entries()) {
        if (headers) io.out.write(renderLogHeader(report.file, view.tool, i === 0));
        if (view.bytes.kind === 'streams-unknown') {
          io.err.write(renderStreamsUnknown(report.file, view.tool, stream!, view.bytes.why));
          exit = EXIT.failed;
          continue;
        }
        for (const buf of readLogBytes(view)) if (!process.stdout.write(buf)) await once(process.stdout, 'drain');
      }
      process.exitCode = exit;
    });
}
