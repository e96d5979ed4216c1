// runner hook install|uninstall: the git pre-commit hook that runs `runner run --staged`.
import fs from 'node:fs';
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { packageFile } from '../../package-root.js';

/** The implementation, loaded by an action: `runner --help` needs none of it. */
async function implementation() {
  const [api, report, io] = await Promise.all([
    import('../../api.js'),
    import('../../report/index.js'),
    import('../io.js'),
  ]);
  return { ...api, ...report, ...io };
}

export function addHookCommand(program: Command): void {
  const hook = program
    .command('hook')
    .description('install or remove the git pre-commit hook that runs `runner run --staged`');
  hook
    .command('install')
    .description(
      'write the pre-commit hook (an existing hook is kept as pre-commit.runner-previous and run first; with husky, a line in .husky/pre-commit)',
    )
    .option(
      '--force',
      "chain a hook that is a symbolic link, replace a taken pre-commit.runner-previous, or write git's hook beside lefthook or simple-git-hooks",
    )
    .action(async (flags: { force?: boolean }, cmd: Command) => {
      const { apiOptions, hookInstall, hookJson, makeIo, renderHookInstall, textReporter } = await implementation();
      const io = makeIo(cmd);
      // Absolute paths: git runs hooks with whatever PATH the committer has.
      const runner = fs.realpathSync(packageFile('bin/runner'));
      const r = await hookInstall({
        ...apiOptions(io, textReporter(io)),
        force: flags.force,
        node: process.execPath,
        runner,
      });
      io.out.write(io.globals.json === true ? hookJson(io, 'install', r) : renderHookInstall(io, r));
      process.exitCode = EXIT.ok;
    });
  hook
    .command('uninstall')
    .description("remove runner's pre-commit hook and put back the one it replaced")
    .action(async (_opts: unknown, cmd: Command) => {
      const { apiOptions, hookJson, hookUninstall, makeIo, renderHookUninstall, textReporter } = await implementation();
      const io = makeIo(cmd);
      const r = hookUninstall(apiOptions(io, textReporter(io)));
      io.out.write(io.globals.json === true ? hookJson(io, 'uninstall', r) : renderHookUninstall(io, r));
      process.exitCode = EXIT.ok;
    });
}
