// The syntax of strace's output (`-f -y`): whole calls out of lines that
// another process's call split in two, and a call's arguments and result.
// Knows nothing of what a call means; trace.ts decides that.

/** One system call as strace printed it, split back into its parts. */
export interface TracedCall {
  /** The process (or thread) id; '' when strace printed none (a single process). */
  pid: string;
  name: string;
  /** Top-level arguments, as printed (strings still quoted, `<path>` decorations kept). */
  args: string[];
  /** What follows ` = `: `0`, `3</etc/passwd>`, `-1 ENOENT (...)`, or `?` when the call never returned. */
  result: string;
}

const PID = /^(\d+)\s+/;
const RESUMED = /^<\.\.\. ([a-z0-9_]+) resumed>/;
const UNFINISHED = ' <unfinished ...>';

/**
 * Every call in a trace, in the order strace printed their ends. With -f, a
 * call that another process interrupts is printed as `PID name(args
 * <unfinished ...>` and later `PID <... name resumed>rest) = result`; the two
 * halves are joined by pid. A call whose process was killed before it
 * returned ends in `= ?` (or never resumes) and comes out with result '?'.
 */
export function* tracedCalls(text: string): Generator<TracedCall> {
  const unfinished = new Map<string, { name: string; head: string }>();
  for (const raw of text.split('\n')) {
    const m = PID.exec(raw);
    const pid = m === null ? '' : m[1]!;
    let line = m === null ? raw : raw.slice(m[0].length);
    const resumed = RESUMED.exec(line);
    if (resumed !== null) {
      const head = unfinished.get(pid);
      unfinished.delete(pid);
      if (head === undefined || head.name !== resumed[1]) continue; // its start was never seen: nothing to join
      line = head.head + line.slice(resumed[0].length);
    }
    if (line.endsWith(UNFINISHED)) {
      const name = /^[a-z0-9_]+(?=\()/.exec(line)?.[0];
      if (name !== undefined) unfinished.set(pid, { name, head: line.slice(0, -UNFINISHED.length) });
      continue;
    }
    const call = parseCall(pid, line);
    if (call !== null) yield call;
  }
  // Never resumed: the process died inside the call, which gave it nothing.
  for (const [pid, head] of unfinished) yield { pid, name: head.name, args: [], result: '?' };
}

/** `name(arg, arg, ...) = result`, or null for anything else (signals, exits, `+++`/`---` lines). */
export function parseCall(pid: string, line: string): TracedCall | null {
  const open = line.indexOf('(');
  if (open <= 0 || !/^[a-z0-9_]+$/.test(line.slice(0, open))) return null;
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = start; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"' || (c === '<' && isDecoration(line, i))) {
      i = skipQuoted(line, i, c === '"' ? '"' : '>');
      if (i < 0) return null;
    } else if (c === '(' || c === '[' || c === '{') {
      depth++;
    } else if ((c === ']' || c === '}') && depth > 0) {
      depth--;
    } else if (c === ')' && depth > 0) {
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(line.slice(start, i).trim());
      start = i + 1;
    } else if (c === ')') {
      const last = line.slice(start, i).trim();
      if (last !== '' || args.length > 0) args.push(last);
      const result = /^\s*=\s*(.*)$/.exec(line.slice(i + 1));
      return result === null ? null : { pid, name: line.slice(0, open), args, result: result[1]!.trim() };
    }
  }
  return null;
}

/** A `<...>` after a descriptor (`3</etc/hosts>`, `AT_FDCWD</src>`), as opposed to a comparison in a decoded struct. */
function isDecoration(line: string, i: number): boolean {
  return i > 0 && /[0-9D]/.test(line[i - 1]!);
}

/** The index of the closing `close` of a quoted run starting at `from`, honouring backslash escapes; -1 if none. */
function skipQuoted(line: string, from: number, close: string): number {
  for (let i = from + 1; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === close) return i;
  }
  return -1;
}

/** The text of a quoted string argument (`"a\303\251"` -> `aé`), or null when the argument is not one. */
export function stringArg(arg: string | undefined): string | null {
  if (arg === undefined || !arg.startsWith('"')) return null;
  const end = skipQuoted(arg, 0, '"');
  return end < 0 ? null : unescape(arg.slice(1, end));
}

/** The path strace decorated a descriptor with (`3</src/lib>`, `AT_FDCWD</src>`), or null. */
export function decoration(arg: string | undefined): string | null {
  if (arg === undefined) return null;
  const start = arg.indexOf('<');
  if (start < 0 || !isDecoration(arg, start)) return null;
  const end = skipQuoted(arg, start, '>');
  return end < 0 ? null : unescape(arg.slice(start + 1, end));
}

/**
 * strace's C escapes back to the bytes they stand for, read as UTF-8: a
 * file name is bytes, and strace prints every byte outside printable ASCII
 * in octal (`\303\251` is `é`).
 */
function unescape(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const n = s[++i];
    if (n === undefined) break;
    if (n >= '0' && n <= '7') {
      let oct = n;
      while (oct.length < 3 && s[i + 1] !== undefined && s[i + 1]! >= '0' && s[i + 1]! <= '7') oct += s[++i];
      bytes.push(Number.parseInt(oct, 8) & 0xff);
    } else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const named: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, a: 7, b: 8 };
      bytes.push(named[n] ?? n.charCodeAt(0));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
