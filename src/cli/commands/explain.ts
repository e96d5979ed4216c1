// runner explain FILE: per tool, fresh or stale, and every reason.
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';

export function addExplainCommand(program: Command): void {
  program
    .command('explain')
    .description("say, per tool, whether FILE's job is fresh or stale and exactly what changed since its last run")
    .argument('<file>', 'a file in the source tree')
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const [{ explain }, { explainJson, renderExplanation }, { apiOptions, makeIo, textReporter }] = await Promise.all(
        [import('../../api.js'), import('../../report/index.js'), import('../io.js')],
      );
      const io = makeIo(cmd);
      const reporter = textReporter(io);
      const explanation = await explain({ ...apiOptions(io, reporter), file });
      reporter.close();
      io.out.write(io.globals.json === true ? explainJson(explanation) : renderExplanation(explanation));
      process.exitCode = EXIT.ok;
    });
}
