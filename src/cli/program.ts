// The commander program (the only importer of commander besides the command
// files and main.ts): global options, commands, and errors mapped to exit 2.
// It and the command files load only commander and small modules: each
// command imports its implementation inside its action (issue 15), so
// `--help` and a usage error load no library code.
import { Command, InvalidArgumentError } from 'commander';
// Not through config/index.js, which holds the config loader and the latch.
import { JOBS_EXPECTED, isJobsCount } from '../config/validate/check.js';
import { addCleanCommand } from './commands/clean.js';
import { addConfigCommand } from './commands/config.js';
import { addDepsCommand } from './commands/deps.js';
import { addExplainCommand } from './commands/explain.js';
import { addHookCommand } from './commands/hook.js';
import { addInitCommand } from './commands/init.js';
import { addLogCommand } from './commands/log.js';
import { addRunCommand } from './commands/run.js';
import { addScanCommand } from './commands/scan.js';
import { addWatchCommand } from './commands/watch.js';

function parseJobs(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !isJobsCount(n))
    throw new InvalidArgumentError(`expected ${JOBS_EXPECTED.replace(/e\.g\. 4$/, 'e.g. -j 4')}`);
  return n;
}

export function buildProgram(version: string): Command {
  const program = new Command('runner')
    .description('Incremental build/test runner: runs only the jobs (one tool on one file) whose inputs changed.')
    .version(version, '-V, --version')
    .option(
      '-C, --source-tree <dir>',
      'work as if started in DIR: the config is searched from there, FILE arguments are relative to it',
    )
    .option(
      '-c, --config <file>',
      'use this config file instead of searching; the source tree is then the current directory (or -C DIR)',
    )
    .option('--state-dir <dir>', 'where the manifest and logs live (default: <source tree>/.runner)')
    .option('-j, --jobs <n>', 'run at most N jobs at once (default: the CPU count)', parseJobs)
    .option('-q, --quiet', 'print only failures and the summary')
    .option('-v, --verbose', 'print every job as it starts and ends, with the reasons it ran')
    .option('--json', 'print one JSON object on stdout instead of text')
    .option('--no-color', 'no colour (FORCE_COLOR and NO_COLOR are honoured too)')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`runner: ${str}`) })
    .addHelpText(
      'after',
      `
The config is searched for in the current directory (or -C DIR), then in each
directory above it up to the repository root (the first one holding .git), or
up to the filesystem root outside a git repository; the directory it is found
in is the source tree, wherever runner is started below it.

Exit codes: 0 every job passed (fresh or run); 1 some job failed (run or cached);
2 usage, config or environment error; 130 interrupted (SIGINT); 143 terminated
(SIGTERM); 129 hung up (SIGHUP); 141 output closed under a run; 70 internal error.`,
    );
  addScanCommand(program);
  addRunCommand(program);
  addWatchCommand(program);
  addExplainCommand(program);
  addLogCommand(program);
  addDepsCommand(program);
  addConfigCommand(program);
  addCleanCommand(program);
  addHookCommand(program);
  addInitCommand(program);
  return program;
}
