// runner scan: walk, digest, update the manifest, report counts and stale jobs.
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';

export function addScanCommand(program: Command): void {
  program
    .command('scan')
    .description(
      'walk the source tree, update the manifest, and report what changed and which jobs are stale; runs nothing',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const [{ scan }, { renderIssueWarning, renderScan, scanJsonText }, { apiOptions, makeIo, textReporter }] =
        await Promise.all([import('../../api.js'), import('../../report/index.js'), import('../io.js')]);
      const io = makeIo(cmd);
      const reporter = textReporter(io);
      const report = await scan(apiOptions(io, reporter));
      reporter.close();
      io.err.write(renderIssueWarning(report.scan, false));
      io.out.write(io.globals.json === true ? scanJsonText(report) : renderScan(report));
      process.exitCode = EXIT.ok;
    });
}
