// pytest's command-line options as far as deps need them: shlex's splitting
// (how pytest splits an option's string), where pytest's own arguments start
// in a tool's command, and which options change the configuration or
// `pythonpath` it takes. Pure, and small: loaded with every plan of python deps.

/** shlex.split(s) (POSIX mode, no comments); null for an unterminated quote (ValueError in Python). */
export function shlexSplit(s: string): string[] | null {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) return null;
      word = (word ?? '') + s.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let w = '';
      for (i += 1; ; i++) {
        if (i >= s.length) return null;
        const d = s[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < s.length && '\\"$`\n'.includes(s[i + 1]!)) {
          w += s[i + 1];
          i += 1;
        } else w += d;
      }
      word = (word ?? '') + w;
    } else if (c === '\\') {
      if (i + 1 >= s.length) return null;
      word = (word ?? '') + s[i + 1];
      i += 1;
    } else word = (word ?? '') + c;
  }
  if (word !== null) words.push(word);
  return words;
}

/**
 * The first pytest option in `words` that changes which configuration or
 * `pythonpath` pytest takes, or which modules it imports, that runner does not
 * interpret: `-c FILE` (also `-cFILE`, or after other short flags),
 * `--config-file` (or a prefix argparse accepts), any word naming pythonpath
 * (`-o pythonpath=...`, `--override-ini`), and `-p NAME` (a plugin module;
 * `-p no:NAME` is not one). null when there is none. `--rootdir` is not one:
 * pytest takes `pythonpath` relative to the configuration file, not the rootdir.
 */
export function uninterpretedPytestOption(words: readonly string[]): string | null {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') return null;
    const name = w.split('=')[0]!;
    if (/^-[A-Za-z]*c/.test(w) && !w.startsWith('--')) return w;
    if (name.length >= 5 && '--config-file'.startsWith(name)) return w;
    if (w.includes('pythonpath')) return w;
    const plugin = /^-[A-Za-z]*p(.*)$/.exec(w);
    if (plugin !== null && !w.startsWith('--')) {
      // `-p NAME` imports module NAME as a plugin, which no file's imports show; `-p no:NAME` only blocks one.
      const named = plugin[1] !== '' ? plugin[1]! : (words[i + 1] ?? '');
      if (!named.startsWith('no:')) return plugin[1] !== '' ? w : `${w} ${named}`;
    }
  }
  return null;
}

/**
 * The words of a command after the one that starts pytest (`pytest`,
 * `py.test`, `python3 -m pytest`, a path ending in either); null when the
 * command does not visibly run pytest. A string command is split as a shell would.
 */
export function pytestArguments(command: string | readonly string[]): string[] | null {
  const words = typeof command === 'string' ? (shlexSplit(command) ?? command.split(/\s+/)) : command;
  for (let i = 0; i < words.length; i++) {
    const base = words[i]!.split('/').pop()!;
    if (base === 'pytest' || base === 'py.test') return words.slice(i + 1);
  }
  return null;
}
