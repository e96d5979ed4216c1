// Turns a tool's command and a file into what is spawned: argv without a
// shell, or `sh -c` with the path quoted for the shell.

/** Single-quotes a word for sh unless it is plainly safe. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function substituteFile(command: string | string[], program: string, file: string): { program: string; args: string[] } {
  if (typeof command === 'string') {
    return { program, args: ['-c', command.replaceAll('{file}', shellQuote(file))] };
  }
  return { program, args: command.slice(1).map((arg) => arg.replaceAll('{file}', file)) };
}
