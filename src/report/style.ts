// Colour and path display shared by the renderers.
import path from 'node:path';

export interface Style {
  color: boolean;
  cwd: string;
}

const paint =
  (code: number) =>
  (s: Style, text: string): string =>
    s.color ? `\x1b[${code}m${text}\x1b[0m` : text;
export const red = paint(31);
export const green = paint(32);
export const yellow = paint(33);
export const dim = paint(2);
export const bold = paint(1);

/** A path as the user would type it from where they stand. */
export function shown(s: Style, abs: string): string {
  const rel = path.relative(s.cwd, abs);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
}

/**
 * shown() for many files in few directories (the logs of a report listing every job): the
 * directory is made relative once, not each file (path.relative resolves both paths each call).
 */
export function shownFiles(s: Style): (abs: string) => string {
  const dirs = new Map<string, string>();
  return (abs) => {
    const dir = path.dirname(abs);
    let where = dirs.get(dir);
    if (where === undefined) dirs.set(dir, (where = shown(s, dir)));
    const name = path.basename(abs);
    return where === '.' ? name : path.isAbsolute(where) ? path.join(where, name) : `${where}/${name}`;
  };
}

export function seconds(ms: number | null): string {
  return ms === null ? '?' : `${(ms / 1000).toFixed(2)}s`;
}

// Terminal escapes a tool writes when it believes it has a terminal: CSI
// (colours, cursor moves) and OSC (titles, hyperlinks) sequences, removed
// whole so that no "[31m" is left once the ESC itself is dropped.
const ANSI = /\x1b\[[0-9;?<=>!]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** A tool's output for plain text (no terminal): no escapes, no control characters but tabs. */
export function plainText(text: string): string {
  return stripAnsi(text).replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
}
