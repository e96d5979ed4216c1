import { describe, expect, test } from 'vitest';
import { xmlAttr, xmlSafe, xmlText } from '../../../src/report/xml.js';

describe('xml escaping', () => {
  test.each([
    ['plain', 'plain'],
    ['a & b', 'a &amp; b'],
    ['<tag attr="v">', '&lt;tag attr="v"&gt;'],
    ['x ]]> y', 'x ]]&gt; y'],
    ["it's", "it's"],
    ['line\nnext\ttab', 'line\nnext\ttab'],
  ])('text %j', (input, expected) => {
    expect(xmlText(input)).toBe(expected);
  });

  test.each([
    ['a "quoted" & \'single\'', 'a &quot;quoted&quot; &amp; &apos;single&apos;'],
    ['<>', '&lt;&gt;'],
    ['two\nlines\r\tand a tab', 'two&#10;lines&#13;&#9;and a tab'],
  ])('attribute %j', (input, expected) => {
    expect(xmlAttr(input)).toBe(expected);
  });

  test('colour and cursor escapes are removed whole, not left as "[31m"', () => {
    expect(xmlSafe('\x1b[31mFAIL\x1b[0m \x1b[1;32mok\x1b[m \x1b[?25l\x1b[2K')).toBe('FAIL ok ');
    expect(xmlSafe('\x1b]0;title\x07after \x1b]8;;http://x\x1b\\link')).toBe('after link');
  });

  test('characters XML 1.0 cannot hold are dropped; everything else stays', () => {
    const illegal = '\x00\x01\x08\x0b\x0c\x0e\x1f\x1b\uFFFE\uFFFF\uD800';
    expect(xmlSafe(`a${illegal}b`)).toBe('ab');
    expect(xmlSafe('tab\tlf\ncr\r é 漢 😀 \uE000 \uFFFD')).toBe('tab\tlf\ncr\r é 漢 😀 \uE000 \uFFFD');
  });
});
