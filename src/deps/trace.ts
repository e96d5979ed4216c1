// The files a job actually opened, from `strace -f -e trace=%file` output:
// the language-agnostic answer to "what did this test really load",
// native libraries included. Pure parsing; exec/ runs the tracer.

/** strace's arguments to put before the job's command. */
export function traceArgs(traceFile: string): string[] {
  // -f: follow forks; -qq: no attach/exit noise; %file: every call taking a file name.
  return ['-f', '-qq', '-e', 'trace=%file', '-o', traceFile, '--'];
}

/** Calls whose success means the file was read or run (the path is their first string argument). */
const READING = /^(?:\d+\s+)?(open|openat|openat2|execve|execveat|stat|lstat|newfstatat|statx|access|faccessat|faccessat2|readlink|readlinkat)\((.*)\)\s+=\s+(-?\d+|0x[0-9a-f]+)/;

/**
 * The paths a traced job opened, read or ran successfully, in the order
 * first seen; relative ones are resolved against cwd. Writes (O_WRONLY,
 * O_CREAT without O_RDWR) are left out: they are outputs, not inputs.
 */
export function parseTrace(text: string, cwd: string): string[] {
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const m = READING.exec(line);
    if (m === null) continue;
    const [, call, args, result] = m;
    if (result!.startsWith('-')) continue; // failed: nothing was read
    const path = firstString(args!);
    if (path === null || path === '') continue;
    if ((call === 'open' || call === 'openat' || call === 'openat2') && /O_WRONLY|O_CREAT|O_TRUNC/.test(args!) && !/O_RDWR/.test(args!)) continue;
    // openat(AT_FDCWD, "x") is relative to the cwd; other dirfds are rare for inputs and kept as written.
    seen.add(path.startsWith('/') ? path : `${cwd}/${path}`);
  }
  return [...seen];
}

/** The first double-quoted C string among strace's arguments, unescaped. */
function firstString(args: string): string | null {
  const start = args.indexOf('"');
  if (start < 0) return null;
  let out = '';
  for (let i = start + 1; i < args.length; i++) {
    const c = args[i]!;
    if (c === '"') return out;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = args[++i];
    if (n === undefined) return null;
    if (n >= '0' && n <= '7') {
      let oct = n;
      while (oct.length < 3 && args[i + 1] !== undefined && args[i + 1]! >= '0' && args[i + 1]! <= '7') oct += args[++i];
      out += String.fromCharCode(Number.parseInt(oct, 8));
    } else if (n === 'x') {
      out += String.fromCharCode(Number.parseInt(args.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
    }
  }
  return null;
}
