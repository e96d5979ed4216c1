import { describe, expect, it } from 'vitest';
import { LineEndings } from '../../../src/exec/line-endings.js';

/** Feeds the chunks one by one and returns everything written, end included. */
function through(chunks: string[]): string {
  const endings = new LineEndings();
  const out = chunks.map((c) => endings.push(Buffer.from(c, 'latin1')).toString('latin1'));
  return out.join('') + endings.end().toString('latin1');
}

describe('LineEndings', () => {
  it.each<[string, string[], string]>([
    ['a CRLF becomes LF', ['a\r\nb\r\n'], 'a\nb\n'],
    ['a lone CR (a redrawn line) stays', ['10%\r20%\r\n'], '10%\r20%\n'],
    ['a CRLF split across chunks becomes LF', ['a\r', '\nb'], 'a\nb'],
    ['a CR at a chunk end followed by text stays', ['a\r', 'b'], 'a\rb'],
    ['a CR held across an empty chunk', ['a\r', '', '\n'], 'a\n'],
    ['a CR at the very end is written at the end', ['a\r'], 'a\r'],
    ['a CRCRLF (the job wrote CRLF) keeps one CR', ['a\r\r\n'], 'a\r\n'],
    ['escape sequences pass unchanged', ['\x1b[31mred\x1b[0m\r\n'], '\x1b[31mred\x1b[0m\n'],
    ['a lone LF stays', ['a\nb'], 'a\nb'],
    ['nothing gives nothing', [], ''],
  ])('%s', (_name, chunks, expected) => {
    expect(through(chunks)).toBe(expected);
  });

  it('turns every CRLF of a large output into LF, whatever the chunking', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\r\n') + '\r\n';
    const bytes = Buffer.from(text);
    const endings = new LineEndings();
    const parts: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 4093) parts.push(endings.push(bytes.subarray(at, at + 4093)));
    parts.push(endings.end());
    expect(Buffer.concat(parts).toString()).toBe(text.replaceAll('\r\n', '\n'));
  });
});
