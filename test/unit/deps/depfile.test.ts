import { describe, expect, it } from 'vitest';
import { parseDepfile } from '../../../src/deps/depfile.js';

describe('parseDepfile', () => {
  it.each([
    ['main.o: main.c util.h\n', ['main.c', 'util.h']],
    ['main.o: main.c \\\n  include/util.h \\\n  include/more.h\n', ['main.c', 'include/util.h', 'include/more.h']],
    ['main.o main.d: main.c a.h\n', ['main.c', 'a.h']],
    ['out: my\\ file.c dir\\ name/x.h\n', ['my file.c', 'dir name/x.h']],
    ['out: cost$$.h hash\\#.h\n', ['cost$.h', 'hash#.h']],
    ['a.o: a.c x.h\nx.h:\n', ['a.c', 'x.h']],
    ['a.o : a.c\n', ['a.c']],
    ['# generated\na.o: a.c\n\n', ['a.c']],
    ['a.o: a.c\nb.o: b.c a.c\n', ['a.c', 'b.c']],
    ['', []],
  ])('%j', (text, expected) => {
    expect(parseDepfile(text)).toEqual(expected);
  });
});
