// Says where a config file fails to parse: the reason and its line and column,
// from what the YAML parser reports, or (JSON) from runner's own scan. Decides only; reads no files.

export interface ParseProblem {
  reason: string;
  /** 1-based; absent when the parser did not say where (a JavaScript config). */
  line?: number;
  column?: number;
  language: 'JSON' | 'YAML' | 'JavaScript';
}

/** Line and column (1-based) of a character offset into `text`. */
export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

/**
 * The first syntax error in `text` as JSON, with where it is: Node 20's
 * JSON.parse names no position for an unexpected token, so runner finds it
 * itself (a scan without recursion, so depth is no problem). Null if it parses.
 */
export function jsonProblem(text: string): ParseProblem | null {
  try {
    JSON.parse(text);
    return null;
  } catch (err) {
    const found = firstJsonError(text);
    if (found !== null) return { reason: found.reason, ...lineColumnOf(text, found.offset), language: 'JSON' };
    const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    return { reason: message, language: 'JSON' };
  }
}

type Expect = 'value' | 'first-value-or-end' | 'key' | 'first-key-or-end' | 'colon' | 'after-value';
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

const foundAt = (text: string, i: number): string =>
  i >= text.length ? 'the end of the file' : JSON.stringify(text[i]);

/** Offset and reason of the first thing in `text` that is not JSON (RFC 8259); null when none is found. */
export function firstJsonError(text: string): { offset: number; reason: string } | null {
  const open: ('{' | '[')[] = [];
  let expect: Expect = 'value';
  let i = 0;
  const error = (reason: string): { offset: number; reason: string } =>
    i >= text.length
      ? { offset: text.length, reason: `unexpected end of the file (${reason.replace(/, found .*$/, '')})` }
      : { offset: i, reason };
  for (;;) {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
    const c = text[i];
    if (expect === 'after-value') {
      const top = open[open.length - 1];
      if (top === undefined)
        return c === undefined ? null : error(`unexpected ${foundAt(text, i)} after the JSON value`);
      if (c === ',') {
        expect = top === '{' ? 'key' : 'value';
        i++;
      } else if (c === (top === '{' ? '}' : ']')) {
        open.pop();
        i++;
      } else {
        return error(
          top === '{'
            ? `expected "," or "}" after a property's value, found ${foundAt(text, i)}`
            : `expected "," or "]" after an array element, found ${foundAt(text, i)}`,
        );
      }
      continue;
    }
    if (expect === 'colon') {
      if (c !== ':') return error(`expected ":" after the property name, found ${foundAt(text, i)}`);
      i++;
      expect = 'value';
      continue;
    }
    if (expect === 'key' || expect === 'first-key-or-end') {
      if (expect === 'first-key-or-end' && c === '}') {
        open.pop();
        i++;
        expect = 'after-value';
        continue;
      }
      if (c !== '"') return error(`expected a double-quoted property name, found ${foundAt(text, i)}`);
      const end = stringEnd(text, i);
      if (typeof end !== 'number') return end;
      i = end;
      expect = 'colon';
      continue;
    }
    // A value (or, just after "[", the end of the array).
    if (expect === 'first-value-or-end' && c === ']') {
      open.pop();
      i++;
      expect = 'after-value';
      continue;
    }
    if (c === '{' || c === '[') {
      open.push(c);
      i++;
      expect = c === '{' ? 'first-key-or-end' : 'first-value-or-end';
      continue;
    }
    expect = 'after-value';
    if (c === '"') {
      const end = stringEnd(text, i);
      if (typeof end !== 'number') return end;
      i = end;
      continue;
    }
    const literal = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
    if (literal !== undefined) {
      i += literal.length;
      continue;
    }
    NUMBER.lastIndex = i;
    if (c !== undefined && NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      continue;
    }
    return error(`expected a value, found ${foundAt(text, i)}`);
  }
}

/** Where the string starting at `start` (a quote) ends, past its closing quote; or its error. */
function stringEnd(text: string, start: number): number | { offset: number; reason: string } {
  for (let i = start + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (text[i] === '"') return i + 1;
    if (code < 0x20)
      return {
        offset: i,
        reason: `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')}) inside a string: write it escaped, e.g. "\\n"`,
      };
    if (text[i] === '\\') {
      const e = text[i + 1];
      if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
      else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 5;
      else if (e !== undefined)
        return { offset: i, reason: `a bad escape ${JSON.stringify('\\' + e)} inside a string` };
    }
  }
  return { offset: text.length, reason: 'unexpected end of the file (inside a string)' };
}

/** A js-yaml error as cosmiconfig passes it on: `reason`, and `mark` with a 0-based line and column. */
export function yamlProblem(err: unknown): ParseProblem | null {
  const e = err as { reason?: unknown; mark?: { line?: unknown; column?: unknown } };
  if (typeof e.reason !== 'string' || typeof e.mark?.line !== 'number' || typeof e.mark.column !== 'number')
    return null;
  return { reason: e.reason, line: e.mark.line + 1, column: e.mark.column + 1, language: 'YAML' };
}
