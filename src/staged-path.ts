// The staged tree's paths as tools print them (absolute, or relative to the
// source tree: `/repo/.runner/staged/pkg/a.py`, `.runner/staged/pkg/a.py`),
// rewritten to the source tree's (`/repo/pkg/a.py`, `pkg/a.py`), so what runner
// shows opens the file the user edits. Pure: the caller names the trees.

/** A staged tree's root and the source tree it stands for, both absolute. */
export interface StagedRoot {
  staged: string;
  source: string;
}

/** A path is still going on after these (a name cannot end an absolute prefix there). */
const PATH_CHARS = String.raw`\w.~+@-`;

/** A colour or style sequence (SGR), which a tool may put right before a path. */
const COLOUR = String.raw`\x1b\[[0-9;]*m`;
/** Not preceded by a path character, unless that is the end of a colour sequence. */
const AFTER_COLOUR = `(?:(?<=${COLOUR})|(?<![${PATH_CHARS}]))`;

/** Characters before a path that decide whether it starts there: a colour sequence's length, generously. */
const CONTEXT = 16;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Strings as they are in `encoding`'s text: a byte stream's are decoded as latin1, one character per byte. */
function asText(s: string, bytes: boolean): string {
  return bytes ? Buffer.from(s, 'utf8').toString('latin1') : s;
}

interface Compiled {
  re: RegExp;
  /** The source tree's form of each absolute staged root, by that root. */
  sources: Map<string, string>;
  /** Longest text one match spans, plus the character after it that decides it: what a stream holds back. */
  span: number;
}

function compile(roots: readonly StagedRoot[], bytes: boolean): Compiled | null {
  const sources = new Map<string, string>();
  const relative = new Set<string>();
  for (const r of roots) {
    sources.set(asText(r.staged, bytes), asText(r.source, bytes));
    // Relative to the source tree, as a tool that names files from there (or from $PWD) prints them.
    if (r.staged.startsWith(r.source + '/')) relative.add(asText(r.staged.slice(r.source.length + 1), bytes));
  }
  if (sources.size === 0) return null;
  const longestFirst = (a: string, b: string): number => b.length - a.length;
  const abs = [...sources.keys()].sort(longestFirst).map(escape).join('|');
  const rel = [...relative].sort(longestFirst).map(escape).join('|');
  // An absolute root ends where a path separator or a non-path character follows (not `staged-123-abc`),
  // and starts one (`file:///repo/...` too, not `/mnt/repo/...`).
  const absPart = `${AFTER_COLOUR}(${abs})(?=/|[^${PATH_CHARS}]|$)`;
  // A relative one starts a word (after a space, a quote, "(" ...) and goes on into the tree, with "./" kept.
  const relPart = rel === '' ? null : `(?<=^|[^/${PATH_CHARS}]|${COLOUR})(\\./)?(?:${rel})/`;
  const re = new RegExp(relPart === null ? absPart : `${absPart}|${relPart}`, 'gm');
  const span = Math.max(...[...sources.keys(), ...relative].map((k) => k.length)) + 4;
  return { re, sources, span };
}

/** A match's replacement: the source tree for an absolute root; for a relative one, nothing (or the "./" before it). */
function replaced(c: Compiled, whole: string, abs: string | undefined, dot: string | undefined): string {
  if (abs !== undefined) return c.sources.get(abs) ?? whole;
  return dot ?? '';
}

/** Rewrites the staged roots' paths in a text (a log's tail); the identity when there are none. */
export function stagedPathRewrite(roots: readonly StagedRoot[]): (text: string) => string {
  const c = compile(roots, false);
  if (c === null) return (text) => text;
  return (text) => text.replace(c.re, (whole: string, abs?: string, dot?: string) => replaced(c, whole, abs, dot));
}

/**
 * The same rewrite over a stream of bytes (a log copied chunk by chunk):
 * the bytes that are no path stay as they are (whatever their encoding),
 * and a path cut between two chunks is held back until it is whole.
 */
export class StagedPathStream {
  private readonly c: Compiled | null;
  /** Text not written yet: the end of the last chunk, where a path may begin. */
  private carry = '';
  /** The end of what was written (CONTEXT characters): whether a path may start right after it. */
  private before = '';

  constructor(roots: readonly StagedRoot[]) {
    this.c = compile(roots, true);
  }

  push(chunk: Buffer): Buffer {
    if (this.c === null) return chunk;
    return this.take(this.carry + chunk.toString('latin1'), false);
  }

  /** What is still held back, rewritten: call once after the last chunk. */
  end(): Buffer {
    if (this.c === null) return Buffer.alloc(0);
    return this.take(this.carry, true);
  }

  private take(text: string, last: boolean): Buffer {
    const c = this.c!;
    const all = this.before + text;
    const from = this.before.length;
    // A match that could still grow, or whose next character is not here yet, begins in the last `span` characters.
    let cut = last ? all.length : Math.max(from, all.length - c.span);
    let out = '';
    let at = from;
    c.re.lastIndex = 0;
    for (const m of all.matchAll(c.re)) {
      const start = m.index;
      if (start < from) continue;
      const end = start + m[0].length;
      if (end > cut) {
        if (start < cut) cut = start;
        break;
      }
      out += all.slice(at, start) + replaced(c, m[0], m[1], m[2]);
      at = end;
    }
    out += all.slice(at, cut);
    if (cut > from) this.before = all.slice(Math.max(0, cut - CONTEXT), cut);
    this.carry = all.slice(cut);
    return Buffer.from(out, 'latin1');
  }
}
