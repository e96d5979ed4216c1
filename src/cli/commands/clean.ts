// runner clean: remove the state directory (manifest and logs).
import type { Command } from 'commander';
import { clean } from '../../api.js';
import { JSON_FORMAT_VERSION, shownPath } from '../../report/index.js';
import { EXIT } from '../exit-codes.js';
import { apiOptions, makeIo, textReporter } from '../io.js';

export function addCleanCommand(program: Command): void {
  program
    .command('clean')
    .description('remove the state directory: the manifest database and every job log')
    .action(async (_opts: unknown, cmd: Command) => {
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
