import { describe, expect, it } from 'vitest';
import { jobOutputPatterns, ownOutputMatcher } from '../../../src/outputs/index.js';

describe("a tool's outputs as each job sees them", () => {
  it.each<[string, string, string]>([
    ['build/{file}.o', 'src/a.c', 'build/src/a.c.o'],
    ['./{file}.o', 'a.c', 'a.c.o'],
    ['gen/*.py', 'schema.json', 'gen/*.py'],
    // A file whose name holds glob characters names itself, not what they would match.
    ['{file}.js', 'app/[id]/page.tsx', 'app/\\[id\\]/page.tsx.js'],
    ['out/{file}.{o,d}', 'x(1).c', 'out/x\\(1\\).c.{o,d}'],
  ])('issue 16: %s for %s is %s', (output, file, pattern) => {
    expect(jobOutputPatterns([output], file)).toEqual([pattern]);
  });

  it('issue 16: a path is an output of the tool when {file} in it is a file the tool takes', () => {
    const jobs = new Set(['src/a.c', 'src/b.c']);
    const own = ownOutputMatcher(['{file}.o', 'build/{file}.d', 'gen/*.h'], (f) => jobs.has(f))!;
    expect(own('src/a.c.o')).toBe(true);
    expect(own('build/src/b.c.d')).toBe(true);
    expect(own('gen/x.h')).toBe(true);
    // An object file no job of the tool writes (its source is not a job) is left to the tool's globs.
    expect(own('src/z.c.o')).toBe(false);
    expect(own('src/a.c')).toBe(false);
    expect(ownOutputMatcher([], () => true)).toBeNull();
  });

  it('issue 16: a glob beside {file} still finds the job the path belongs to', () => {
    const jobs = new Set(['src/a']);
    const own = ownOutputMatcher(['{file}.*'], (f) => jobs.has(f))!;
    expect(own('src/a.o')).toBe(true);
    expect(own('src/b.o')).toBe(false);
  });
});
