// Reads a make-style depfile, as `gcc -MD` and friends write it: every
// prerequisite of every rule. Pure: the caller reads the file.
// Syntax: `targets: prerequisites`, backslash-newline continues a line,
// `\ ` is a space inside a name, `\#` a hash, `$$` a dollar (GNU make manual,
// "Rule Syntax"; GCC's -MD output escapes exactly these).

export function parseDepfile(text: string): string[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  const prerequisites: string[] = [];
  for (const line of joined.split(/\r?\n/)) {
    const words = splitWords(line);
    const colon = words.findIndex((w) => w.raw.endsWith(':') && !w.escapedEnd);
    if (colon < 0) continue; // not a rule (a blank or a comment line)
    for (const w of words.slice(colon + 1)) if (w.text !== '') prerequisites.push(w.text);
  }
  return [...new Set(prerequisites)];
}

interface Word {
  /** As written, for finding the rule's colon. */
  raw: string;
  /** Unescaped, without a trailing rule colon. */
  text: string;
  escapedEnd: boolean;
}

function splitWords(line: string): Word[] {
  const words: Word[] = [];
  let raw = '';
  let text = '';
  let escapedEnd = false;
  const flush = (): void => {
    if (raw === '') return;
    // A target list ends in an unescaped colon, alone or stuck to the last target.
    const isRuleColon = raw.endsWith(':') && !escapedEnd;
    words.push({ raw, text: isRuleColon ? text.slice(0, -1) : text, escapedEnd });
    raw = '';
    text = '';
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    const next = line[i + 1];
    if (c === '#' && raw === '' && words.length === 0) break; // a comment line
    if (c === '\\' && (next === ' ' || next === '#' || next === '\t')) {
      raw += c + next;
      text += next;
      escapedEnd = true;
      i++;
      continue;
    }
    if (c === '$' && next === '$') {
      raw += '$$';
      text += '$';
      escapedEnd = false;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t') {
      flush();
      continue;
    }
    raw += c;
    text += c;
    escapedEnd = false;
  }
  flush();
  // "a.o:" followed by prerequisites, or "a.o" ":" written apart.
  return words.flatMap((w) => (w.raw === ':' ? [{ raw: ':', text: '', escapedEnd: false }] : [w]));
}
