// Reads TOML (1.0) into plain values, for pytest's configuration in
// pyproject.toml and pytest.toml. Strings, arrays and tables as JavaScript
// values; other scalars (numbers, booleans, dates) as TomlScalar, their text
// kept. Throws TomlSyntaxError on anything it does not understand: the caller
// then treats the file as unreadable and takes the careful way, never a guess.

/** A number, boolean or date, as written. */
export class TomlScalar {
  constructor(readonly text: string) {}
}

export type TomlValue = string | TomlScalar | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

export class TomlSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly why: string,
  ) {
    super(`line ${line}: ${why}`);
  }
}

const BARE_KEY = /[A-Za-z0-9_-]/;
// Integers, floats, booleans, inf/nan and the date/time forms (RFC 3339, with a space or a T).
const SCALAR =
  /^(?:true|false|[+-]?(?:inf|nan)|[+-]?(?:0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+|[0-9_]+(?:\.[0-9_]+)?(?:[eE][+-]?[0-9_]+)?)|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?|\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/i;

/** The document as nested tables. Tables defined twice or keys given twice are errors, as in tomllib. */
export function parseToml(text: string): TomlTable {
  return new Reader(text).document();
}

class Reader {
  private at = 0;
  private readonly root: TomlTable = {};
  /** Tables made by a header or a key/value (closed to a second header), by identity. */
  private readonly defined = new Set<TomlTable>();

  constructor(private readonly s: string) {}

  document(): TomlTable {
    let table = this.root;
    for (;;) {
      this.skipBlank(true);
      if (this.at >= this.s.length) return this.root;
      if (this.s.startsWith('[[', this.at)) {
        this.at += 2;
        const keys = this.key(']');
        this.expect(']]');
        const parent = this.walk(this.root, keys.slice(0, -1));
        const last = keys[keys.length - 1]!;
        const list = parent[last] ?? (parent[last] = []);
        if (!Array.isArray(list)) this.fail(`"${keys.join('.')}" is not an array of tables`);
        table = {};
        list.push(table);
      } else if (this.s[this.at] === '[') {
        this.at += 1;
        const keys = this.key(']');
        this.expect(']');
        table = this.walk(this.root, keys);
        if (this.defined.has(table)) this.fail(`table "${keys.join('.')}" defined twice`);
        this.defined.add(table);
      } else {
        this.keyValue(table);
      }
      this.endOfLine();
    }
  }

  private keyValue(table: TomlTable): void {
    const keys = this.key('=');
    this.expect('=');
    this.skipBlank(false);
    const value = this.value();
    const parent = this.walk(table, keys.slice(0, -1));
    const last = keys[keys.length - 1]!;
    if (Object.hasOwn(parent, last)) this.fail(`key "${keys.join('.')}" given twice`);
    parent[last] = value;
    if (isTable(value)) this.defined.add(value);
  }

  /** The table at keys below `from`, made when missing. */
  private walk(from: TomlTable, keys: readonly string[]): TomlTable {
    let t = from;
    for (const k of keys) {
      let next = Object.hasOwn(t, k) ? t[k] : undefined;
      if (next === undefined) t[k] = next = {};
      if (Array.isArray(next)) next = next[next.length - 1];
      if (next === undefined || !isTable(next)) this.fail(`"${k}" is not a table`);
      t = next;
    }
    return t;
  }

  /** A dotted key, up to (not including) `end`. */
  private key(end: string): string[] {
    const keys: string[] = [];
    for (;;) {
      this.skipBlank(false);
      const c = this.s[this.at];
      if (c === '"' || c === "'") keys.push(this.stringValue());
      else {
        const start = this.at;
        while (this.at < this.s.length && BARE_KEY.test(this.s[this.at]!)) this.at += 1;
        if (this.at === start) this.fail('a key was expected');
        keys.push(this.s.slice(start, this.at));
      }
      this.skipBlank(false);
      if (this.s[this.at] === '.') this.at += 1;
      else if (this.s.startsWith(end, this.at)) return keys;
      else this.fail(`"${end}" was expected after a key`);
    }
  }

  private value(): TomlValue {
    const c = this.s[this.at];
    if (c === '"' || c === "'") return this.stringValue();
    if (c === '[') return this.array();
    if (c === '{') return this.inlineTable();
    const m = /^[^\s,\]}#]+(?: \d{2}:[^\s,\]}#]+)?/.exec(this.s.slice(this.at, this.at + 64));
    if (m === null || !SCALAR.test(m[0])) this.fail('a value was expected');
    this.at += m[0].length;
    return new TomlScalar(m[0]);
  }

  private array(): TomlValue[] {
    this.at += 1;
    const out: TomlValue[] = [];
    for (;;) {
      this.skipBlank(true);
      if (this.s[this.at] === ']') break;
      out.push(this.value());
      this.skipBlank(true);
      if (this.s[this.at] === ',') this.at += 1;
      else if (this.s[this.at] !== ']') this.fail('"," or "]" was expected in an array');
    }
    this.at += 1;
    return out;
  }

  private inlineTable(): TomlTable {
    this.at += 1;
    const table: TomlTable = {};
    this.skipBlank(false);
    if (this.s[this.at] === '}') {
      this.at += 1;
      return table;
    }
    for (;;) {
      this.keyValue(table);
      this.skipBlank(false);
      if (this.s[this.at] === '}') break;
      this.expect(',');
    }
    this.at += 1;
    this.defined.add(table);
    return table;
  }

  private stringValue(): string {
    const s = this.s;
    if (s.startsWith("'''", this.at)) {
      const end = s.indexOf("'''", this.at + 3);
      if (end < 0) this.fail('unterminated string');
      // Up to two quotes may close the content just before the delimiter.
      let close = end;
      while (s[close + 3] === "'" && close < end + 2) close += 1;
      const body = s.slice(this.at + 3, close);
      this.at = close + 3;
      return body.replace(/^\r?\n/, '');
    }
    if (s[this.at] === "'") {
      const end = s.indexOf("'", this.at + 1);
      const nl = s.indexOf('\n', this.at + 1);
      if (end < 0 || (nl >= 0 && nl < end)) this.fail('unterminated string');
      const body = s.slice(this.at + 1, end);
      this.at = end + 1;
      return body;
    }
    const multi = s.startsWith('"""', this.at);
    this.at += multi ? 3 : 1;
    if (multi && s[this.at] === '\n') this.at += 1;
    else if (multi && s.startsWith('\r\n', this.at)) this.at += 2;
    let out = '';
    for (;;) {
      const c = s[this.at];
      if (c === undefined) this.fail('unterminated string');
      if (multi && s.startsWith('"""', this.at)) {
        let extra = 0;
        while (s[this.at + 3 + extra] === '"' && extra < 2) extra += 1;
        out += '"'.repeat(extra);
        this.at += 3 + extra;
        return out;
      }
      if (!multi && c === '"') {
        this.at += 1;
        return out;
      }
      if (!multi && c === '\n') this.fail('unterminated string');
      if (c === '\\') {
        const e = s[this.at + 1];
        const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };
        if (e !== undefined && Object.hasOwn(simple, e)) {
          out += simple[e];
          this.at += 2;
        } else if (e === 'u' || e === 'U') {
          const n = e === 'u' ? 4 : 8;
          const hex = s.slice(this.at + 2, this.at + 2 + n);
          if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== n) this.fail('bad unicode escape');
          out += String.fromCodePoint(parseInt(hex, 16));
          this.at += 2 + n;
        } else if (multi && /^\\[ \t]*\r?\n/.test(s.slice(this.at, this.at + 64))) {
          // A line-ending backslash trims the newline and the whitespace after it.
          this.at += 1;
          while (/[ \t\r\n]/.test(s[this.at] ?? '')) this.at += 1;
        } else this.fail('bad escape in a string');
      } else {
        out += c;
        this.at += 1;
      }
    }
  }

  private skipBlank(newlines: boolean): void {
    for (;;) {
      const c = this.s[this.at];
      if (c === ' ' || c === '\t' || (newlines && (c === '\n' || c === '\r'))) this.at += 1;
      else if (c === '#' && newlines) {
        while (this.at < this.s.length && this.s[this.at] !== '\n') this.at += 1;
      } else return;
    }
  }

  private endOfLine(): void {
    this.skipBlank(false);
    if (this.s[this.at] === '#') while (this.at < this.s.length && this.s[this.at] !== '\n') this.at += 1;
    if (this.s[this.at] === '\r') this.at += 1;
    if (this.at < this.s.length && this.s[this.at] !== '\n') this.fail('end of line was expected');
  }

  private expect(text: string): void {
    this.skipBlank(false);
    if (!this.s.startsWith(text, this.at)) this.fail(`"${text}" was expected`);
    this.at += text.length;
  }

  private fail(why: string): never {
    throw new TomlSyntaxError(this.s.slice(0, this.at).split('\n').length, why);
  }
}

function isTable(v: TomlValue | undefined): v is TomlTable {
  return typeof v === 'object' && !Array.isArray(v) && !(v instanceof TomlScalar);
}
