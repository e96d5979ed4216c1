// The cache that keeps identifying programs off the no-op path: each program
// file's digest by its stat (as the scan keeps tracked files'), and each
// version manager's answer by the inputs it consults. Dependency digests
// identify the files outside the tree they name through it too (by content,
// issue 16). Persisted by the session as a manifest snapshot; holds
// machine-specific keys, never latched.
import fs from 'node:fs';
import path from 'node:path';
import { digestBytes } from '../hash.js';
import { digestFile } from '../scan/index.js';

/** What one read of a program file tells: its digest, the manager a shim script hands over to, its package. */
export interface FileFacts {
  /** size:mtimeNs:ctimeNs:inode when read; the facts hold while it is unchanged. */
  stat: string;
  digest: string;
  /** A shim script's `exec <dispatcher> exec <program>` line names the version manager that picks the program. */
  dispatcher: string | null;
  /** For a package.json: "name@version". */
  pkg: string | null;
}

/** Entries whose mtime or ctime is this close to the moment they were read may change unseen (git's racy rule). */
const RACY_MS = 2000;
/** Files larger than this are digested in chunks (scan's digestFile, the same digest) rather than read whole. */
const WHOLE_READ_MAX = 16 * 1024 * 1024;
/** Managers' answers kept: a few versions switched back and forth. */
const MAX_ANSWERS = 32;

const statKey = (st: fs.BigIntStats): string => `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;

// `exec "/root/.pyenv/libexec/pyenv" exec "$program" "$@"` (pyenv, rbenv, nodenv), `exec /x/bin/asdf exec "python3" "$@"` (asdf).
const DISPATCH_LINE = /^[ \t]*exec[ \t]+"?([^"\s]+)"?[ \t]+exec[ \t]/m;

export class ProgramIds {
  private readonly files = new Map<string, FileFacts>();
  private readonly answers = new Map<string, string>();
  private readonly used = new Set<string>();
  /** Managers askAhead() found naming no program, until programBehind() takes the answer (never persisted). */
  private readonly refusals = new Map<string, string>();
  /** Something new was learned: the snapshot should be written. */
  changed = false;

  static decode(buf: Buffer | undefined): ProgramIds {
    const ids = new ProgramIds();
    if (buf === undefined) return ids;
    try {
      const raw = JSON.parse(buf.toString('utf8')) as { files: [string, FileFacts][]; answers: [string, string][] };
      for (const [k, v] of raw.files) ids.files.set(k, v);
      for (const [k, v] of raw.answers) ids.answers.set(k, v);
    } catch {
      // An unreadable cache is only a cold start.
    }
    return ids;
  }

  /** Only the files this process identified: a program no tool runs any more is forgotten. */
  encode(): Buffer {
    const files = [...this.files].filter(([k]) => this.used.has(k));
    return Buffer.from(JSON.stringify({ files, answers: [...this.answers] }), 'utf8');
  }

  /** The facts of a file, read only when its stat changed since they were learned; null when it cannot be read. */
  factsOf(abs: string): FileFacts | null {
    let st: fs.BigIntStats;
    try {
      st = fs.statSync(abs, { bigint: true });
    } catch {
      return null;
    }
    // A fifo or device could block a read for ever (a dependency digest may name one): never read.
    if (!st.isFile()) return null;
    this.used.add(abs);
    const key = statKey(st);
    const known = this.files.get(abs);
    if (known !== undefined && known.stat === key) return known;
    let facts: FileFacts;
    try {
      if (st.size > WHOLE_READ_MAX) {
        // A large library a traced job loaded: streamed, never whole in memory; no script or package.json is this big.
        facts = { stat: key, digest: digestFile(abs), dispatcher: null, pkg: null };
      } else {
        const bytes = fs.readFileSync(abs);
        const digest = digestBytes(bytes);
        facts = { stat: key, digest, dispatcher: dispatcherOf(bytes), pkg: packageOf(abs, bytes, digest) };
      }
    } catch {
      return null;
    }
    const recent = Date.now() - RACY_MS;
    if (Number(st.mtimeNs / 1_000_000n) < recent && Number(st.ctimeNs / 1_000_000n) < recent) {
      this.files.set(abs, facts);
      this.changed = true;
    } else if (known !== undefined) {
      this.files.delete(abs); // racy: read again next time
      this.changed = true;
    }
    return facts;
  }

  answer(key: string): string | undefined {
    return this.answers.get(key);
  }

  setAnswer(key: string, program: string): void {
    this.answers.delete(key);
    this.answers.set(key, program);
    for (const old of this.answers.keys()) {
      if (this.answers.size <= MAX_ANSWERS) break;
      this.answers.delete(old);
    }
    this.changed = true;
  }

  refusal(key: string, take: boolean): string | undefined {
    const problem = this.refusals.get(key);
    if (take) this.refusals.delete(key);
    return problem;
  }

  setRefusal(key: string, problem: string): void {
    this.refusals.set(key, problem);
  }

  forgetAnswer(key: string): void {
    if (this.answers.delete(key)) this.changed = true;
  }
}

function dispatcherOf(bytes: Buffer): string | null {
  if (bytes.length < 2 || bytes[0] !== 0x23 || bytes[1] !== 0x21) return null; // only scripts ("#!") dispatch
  return DISPATCH_LINE.exec(bytes.subarray(0, 4096).toString('utf8'))?.[1] ?? null;
}

function packageOf(abs: string, bytes: Buffer, digest: string): string | null {
  if (path.basename(abs) !== 'package.json') return null;
  try {
    const pkg = JSON.parse(bytes.toString('utf8')) as { name?: unknown; version?: unknown };
    return `${String(pkg.name)}@${String(pkg.version)}`;
  } catch {
    return `unparseable package.json ${digest}`;
  }
}
