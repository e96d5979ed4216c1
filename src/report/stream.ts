// Where the text reporter and the progress bar write: stdout or stderr, or a
// test's buffer. An interface only, so both import it and not each other.

export interface Stream {
  write(s: string): boolean;
  isTTY?: boolean;
  columns?: number;
}
