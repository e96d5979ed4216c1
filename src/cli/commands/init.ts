// runner init: write a starting config for the tree (never over one), and say what to do next.
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';

export function addInitCommand(program: Command): void {
  program
    .command('init')
    .description(
      'write a starting .runnerrc.json for the tree (Python, JavaScript, TypeScript tools); never overwrites a config',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const [{ initConfig }, { initJson, renderInit }, { makeIo }] = await Promise.all([
        import('../../init/index.js'),
        import('../../report/index.js'),
        import('../io.js'),
      ]);
      const io = makeIo(cmd);
      const r = initConfig({
        cwd: io.cwd,
        sourceTree: io.globals.sourceTree,
        configFile: io.globals.config,
        // Type stripping: process.features.typescript is "strip" or "transform" where node runs .ts (22.10 on, default from 22.18).
        nodeRunsTypeScript: Boolean((process.features as { typescript?: unknown }).typescript),
      });
      const runner = ['runner', ...(io.globals.sourceTree === undefined ? [] : ['-C', io.globals.sourceTree])];
      if (io.globals.config !== undefined) runner.push('-c', io.globals.config);
      io.out.write(io.globals.json === true ? initJson(r) : renderInit(io, r, runner.join(' ')));
      process.exitCode = EXIT.ok;
    });
}
