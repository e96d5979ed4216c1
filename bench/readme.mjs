// bench/readme.mjs - writes what a bench run printed into README.md (issue 17
// point 5): each section's output goes between its two markers,
// `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`, under the README's "The
// bench's last output", as a text block headed by when and how it ran. A
// section not run keeps the block it had; a README without a section's
// markers is left as it is for that section (the caller says so).

import fs from 'node:fs';

const open = (name) => `<!-- bench:${name} -->`;
const close = (name) => `<!-- /bench:${name} -->`;

/**
 * `text` with the block between `name`'s markers replaced by `body` (a heading line, then the output in a
 * text fence); null when the markers are not there once each, in order.
 */
export function replaceBlock(text, name, heading, body) {
  const a = text.indexOf(open(name));
  const b = text.indexOf(close(name));
  if (a < 0 || b < a || text.indexOf(open(name), a + 1) >= 0 || text.indexOf(close(name), b + 1) >= 0) return null;
  const fence = body.includes('```') ? '~~~~' : '```';
  const block = `${open(name)}\n${heading}\n\n${fence}text\n${body.trimEnd()}\n${fence}\n${close(name)}`;
  return text.slice(0, a) + block + text.slice(b + close(name).length);
}

/**
 * Writes each [name, body] block into `file` under `heading`, in one write; returns the names whose markers
 * it lacks (their blocks are not written).
 */
export function writeReadme(file, blocks, heading) {
  let text = fs.readFileSync(file, 'utf8');
  const missing = [];
  for (const [name, body] of blocks) {
    const next = replaceBlock(text, name, heading, body);
    if (next === null) missing.push(name);
    else text = next;
  }
  if (missing.length < blocks.length) fs.writeFileSync(file, text);
  return missing;
}
