// runner clean: remove the state directory (manifest and logs).
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';

export function addCleanCommand(program: Command): void {
  program
    .command('clean')
    .description('remove the state directory: the manifest database and every job log')
    .action(async (_opts: unknown, cmd: Command) => {
      const [{ clean }, { JSON_FORMAT_VERSION, shownPath }, { apiOptions, makeIo, textReporter }] = await Promise.all([
        import('../../api.js'),
        import('../../report/index.js'),
        import('../io.js'),
      ]);
      const io = makeIo(cmd);
      const { stateDir, removed } = await clean(apiOptions(io, textReporter(io)));
      const where = shownPath(io, stateDir);
      if (io.globals.json === true)
        io.out.write(
          JSON.stringify({ command: 'clean', version: JSON_FORMAT_VERSION, exitCode: 0, stateDir: where, removed }) +
            '\n',
        );
      else
        io.out.write(removed ? `runner: removed ${where}\n` : `runner: nothing to remove (${where} does not exist)\n`);
      process.exitCode = EXIT.ok;
    });
}
