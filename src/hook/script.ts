// The pre-commit hook runner writes: a small sh script that runs the hook it
// replaced first (kept under BACKUP_NAME), then `runner run --staged`. Pure:
// install.ts does the file work.
import { shellQuote } from '../exec/index.js';

export const HOOK_NAME = 'pre-commit';
/** Where an existing hook is kept while runner's chains it. */
export const BACKUP_NAME = 'pre-commit.runner-previous';
/** The line that marks a hook as runner's: install may overwrite it, uninstall may remove it. */
export const MARKER = '# runner pre-commit hook: written by `runner hook install`; `runner hook uninstall` removes it';

export interface HookCommand {
  /** Absolute paths, fixed at install time: git runs hooks with whatever PATH the committer has. */
  node: string;
  runner: string;
  /** Global options for runner (-C, -c, --state-dir), relative to the work tree's root where possible. */
  globals: string[];
}

export function hookScript(c: HookCommand): string {
  const argv = [c.node, c.runner, ...c.globals, '-q', 'run', '--staged'].map(shellQuote).join(' ');
  return `#!/bin/sh
${MARKER}
# git runs this from the root of the work tree. The hook that was here
# before runner's (if any) runs first; its failure blocks the commit too.
previous="$(dirname "$0")/${BACKUP_NAME}"
if [ -x "$previous" ]; then
  "$previous" "$@" || exit $?
fi
# git puts its exec-path in front of PATH for hooks; tools see PATH, and a
# PATH that differs from the committer's own would run every job again.
if [ -n "$GIT_EXEC_PATH" ]; then
  case "$PATH" in "$GIT_EXEC_PATH":*) PATH=\${PATH#"$GIT_EXEC_PATH":} ;; esac
fi
if [ ! -x ${shellQuote(c.node)} ] || [ ! -f ${shellQuote(c.runner)} ]; then
  echo "runner pre-commit hook: "${shellQuote(c.runner)}" or "${shellQuote(c.node)}" is gone; run \\\`runner hook install\\\` again" >&2
  exit 1
fi
# node builds its whole certificate store before it starts when
# NODE_EXTRA_CA_CERTS is set: runner hands the variable over as bin/runner's
# own first lines do, and puts it back before anything reads it.
if [ -n "\${NODE_EXTRA_CA_CERTS+x}" ]; then
  RUNNER_NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS
  export RUNNER_NODE_EXTRA_CA_CERTS
  unset NODE_EXTRA_CA_CERTS
fi
exec ${argv}
`;
}

/** Whether a hook's text is runner's own. */
export function isRunnerHook(text: string): boolean {
  return text.split('\n', 3).includes(MARKER);
}
