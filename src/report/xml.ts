// XML 1.0 text and attribute escaping for the JUnit report. Job logs hold
// anything (colour codes, NULs, broken UTF-8); what comes out must still parse.
import { stripAnsi } from './style.js';

// XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// With the u flag a lone surrogate is one code point outside these ranges, so it goes too.
const ILLEGAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text without terminal escapes and without characters XML 1.0 cannot hold. */
export function xmlSafe(text: string): string {
  return stripAnsi(text).replace(ILLEGAL, '');
}

/** Element content: & < > escaped (> too, so "]]>" cannot occur). */
export function xmlText(text: string): string {
  return xmlSafe(text).replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

const ATTR: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** An attribute value: quotes escaped, and tabs and line breaks as references so a parser keeps them. */
export function xmlAttr(text: string): string {
  return xmlSafe(text).replace(/[&<>"'\t\n\r]/g, (c) => ATTR[c] ?? c);
}
