// runner config [--dump]: the resolved config, or the documented default.
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';

export function addConfigCommand(program: Command): void {
  program
    .command('config')
    .description(
      'print the resolved config as JSON (with --dump: the documented default, a starting point for .runnerrc.json)',
    )
    .option('--dump', 'print the default config instead')
    .action(async (flags: { dump?: boolean }, cmd: Command) => {
      const [{ showConfig }, { apiOptions, makeIo, textReporter }] = await Promise.all([
        import('../../api.js'),
        import('../io.js'),
      ]);
      const io = makeIo(cmd);
      const shown = await showConfig({ ...apiOptions(io, textReporter(io)), dump: flags.dump });
      const body =
        io.globals.json === true
          ? {
              command: 'config',
              exitCode: 0,
              file: shown.file,
              sourceTree: shown.sourceTree,
              stateDir: shown.stateDir,
              config: shown.config,
            }
          : shown.config;
      io.out.write(JSON.stringify(body, null, 2) + '\n');
      if (io.globals.json !== true && shown.file !== null) io.err.write(`runner: config from ${shown.file}\n`);
      process.exitCode = EXIT.ok;
    });
}
