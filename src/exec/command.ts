// Turns a tool's command and its file (or, for a batch tool, its files) into
// what is spawned: argv without a shell, or `sh -c` with each path quoted for
// the shell.

/** Single-quotes a word for sh unless it is plainly safe. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The file as a tool is given it: a path relative to the source tree, with
 * "./" before one that starts with "-", so that no tool takes a file named
 * `--version` or `-rf` for an option (quoting does not help: the tool, not
 * the shell, reads the dash). Every other path is passed as it is.
 */
export function fileArgument(file: string): string {
  return file.startsWith('-') ? `./${file}` : file;
}

export function substituteFile(
  command: string | string[],
  program: string,
  file: string,
): { program: string; args: string[] } {
  const arg = fileArgument(file);
  if (typeof command === 'string') {
    return { program, args: ['-c', command.replaceAll('{file}', shellQuote(arg))] };
  }
  return { program, args: command.slice(1).map((word) => word.replaceAll('{file}', arg)) };
}

/** `{files}` marks a batch tool: one process is given many files. */
export const FILES_MARK = '{files}';

/** Whether a command takes many files at once (`{files}` in it). */
export function isBatchCommand(command: string | string[]): boolean {
  return typeof command === 'string' ? command.includes(FILES_MARK) : command.some((w) => w.includes(FILES_MARK));
}

/**
 * A batch tool's command over `files`: an argv word that is exactly `{files}`
 * becomes one argument per file; inside a longer word, or in the string form,
 * the files are joined by spaces (each shell-quoted in the string form).
 */
export function substituteFiles(
  command: string | string[],
  program: string,
  files: readonly string[],
): { program: string; args: string[] } {
  const args = files.map(fileArgument);
  if (typeof command === 'string') {
    return { program, args: ['-c', command.replaceAll(FILES_MARK, args.map(shellQuote).join(' '))] };
  }
  return {
    program,
    args: command
      .slice(1)
      .flatMap((word) => (word === FILES_MARK ? args : [word.replaceAll(FILES_MARK, args.join(' '))])),
  };
}
