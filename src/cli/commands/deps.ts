// runner deps FILE: a file's direct and transitive dependencies, and its dependents.
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';

export function addDepsCommand(program: Command): void {
  program
    .command('deps')
    .description('print what FILE depends on (directly and transitively) and what depends on it, for tools with "deps"')
    .argument('<file>', 'a file in the source tree')
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const [{ deps }, { depsJson, renderDeps }, { apiOptions, makeIo, textReporter }] = await Promise.all([
        import('../../api.js'),
        import('../../report/index.js'),
        import('../io.js'),
      ]);
      const io = makeIo(cmd);
      const reporter = textReporter(io);
      const report = await deps({ ...apiOptions(io, reporter), file });
      reporter.close();
      io.out.write(io.globals.json === true ? depsJson(report) : renderDeps(report));
      process.exitCode = EXIT.ok;
    });
}
