// Turns a tool's command and a file into what is spawned: argv without a
// shell, or `sh -c` with the path quoted for the shell.

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
