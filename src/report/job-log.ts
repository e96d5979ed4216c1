// The text `runner log` adds around the bytes it copies: a header per log
// when it prints several (as head(1) and tail(1) do for several files), and
// the message for a stream that cannot be told apart.

/** Before each log when FILE has logs of several tools; a blank line apart from the log before. */
export function renderLogHeader(file: string, tool: string, first: boolean): string {
  return `${first ? '' : '\n'}==> ${file} (${tool}) <==\n`;
}

/** On stderr, in place of a stream runner cannot give back exactly. */
export function renderStreamsUnknown(file: string, tool: string, stream: string, why: string): string {
  return `runner: log: the ${stream} of ${tool} on ${file} cannot be told apart from its other output: ${why}; \`runner log ${file}\` prints the merged log\n`;
}
