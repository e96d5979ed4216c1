import { describe, expect, it } from 'vitest';
import { jsonProblem, lineColumnOf } from '../../../src/config/parse-error.js';

describe('jsonProblem', () => {
  it.each([
    ['{"a": 1}', null],
    ['{\n  "a": 1,,\n}', { reason: 'expected a double-quoted property name, found ","', line: 2, column: 10 }],
    ['{ "tools": [ }\n', { reason: 'expected a value, found "}"', line: 1, column: 14 }],
    ['{"tools": [\n', { reason: 'unexpected end of the file (expected a value)', line: 2, column: 1 }],
    ['', { reason: 'unexpected end of the file (expected a value)', line: 1, column: 1 }],
    ['{"a": 1}\n}', { reason: 'unexpected "}" after the JSON value', line: 2, column: 1 }],
    ['[1 2]', { reason: 'expected "," or "]" after an array element, found "2"', line: 1, column: 4 }],
    ['{"a" 1}', { reason: 'expected ":" after the property name, found "1"', line: 1, column: 6 }],
    ['{"a": 1 "b": 2}', { reason: 'expected "," or "}" after a property\'s value, found "\\""', line: 1, column: 9 }],
    [
      '{"a":\n"x\ny"}',
      { reason: 'a control character (U+000A) inside a string: write it escaped, e.g. "\\n"', line: 2, column: 3 },
    ],
    ['["\\q"]', { reason: 'a bad escape "\\\\q" inside a string', line: 1, column: 3 }],
    ['{"a": "abc', { reason: 'unexpected end of the file (inside a string)', line: 1, column: 11 }],
    ['[1,]', { reason: 'expected a value, found "]"', line: 1, column: 4 }],
    ['{"a": tru}', { reason: 'expected a value, found "t"', line: 1, column: 7 }],
    ['['.repeat(100_000), { reason: 'unexpected end of the file (expected a value)', line: 1, column: 100_001 }],
  ])('issue 12: %j', (text, expected) => {
    const found = jsonProblem(text);
    if (expected === null) expect(found).toBeNull();
    else expect(found).toEqual({ ...expected, language: 'JSON' });
  });
});

describe('lineColumnOf', () => {
  it.each([
    ['abc', 0, { line: 1, column: 1 }],
    ['ab\ncd', 3, { line: 2, column: 1 }],
    ['ab\ncd', 4, { line: 2, column: 2 }],
    ['ab', 99, { line: 1, column: 3 }],
  ])('%j at %d', (text, offset, expected) => {
    expect(lineColumnOf(text, offset)).toEqual(expected);
  });
});
