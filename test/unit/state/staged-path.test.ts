import { describe, expect, it } from 'vitest';
import { StagedPathStream, stagedPathRewrite } from '../../../src/staged-path.js';

const kept = { staged: '/repo/.runner/staged', source: '/repo' };
const temp = { staged: '/repo/.runner/staged-4242-aB3xYz/app', source: '/repo/app' };
const rewrite = stagedPathRewrite([kept]);

/** The stream's output for `text` cut into pieces at `cuts`. */
function streamed(roots: (typeof kept)[], text: Buffer, cuts: number[]): Buffer {
  const s = new StagedPathStream(roots);
  const out: Buffer[] = [];
  let at = 0;
  for (const c of [...cuts, text.length]) {
    out.push(s.push(text.subarray(at, c)));
    at = c;
  }
  out.push(s.end());
  return Buffer.concat(out);
}

describe('stagedPathRewrite', () => {
  it.each([
    ['a traceback', '  File "/repo/.runner/staged/pkg/a.py", line 1', '  File "/repo/pkg/a.py", line 1'],
    ['relative to the source tree', '.runner/staged/pkg/a.py:1:5: E1', 'pkg/a.py:1:5: E1'],
    ['relative with ./', 'see ./.runner/staged/pkg/a.py', 'see ./pkg/a.py'],
    ['the root itself', 'cd /repo/.runner/staged && make', 'cd /repo && make'],
    ['two on a line', "'/repo/.runner/staged/a' (.runner/staged/b)", "'/repo/a' (b)"],
    [
      'another name that starts the same',
      '/repo/.runner/staged-old/a .runner/stagedx/b',
      '/repo/.runner/staged-old/a .runner/stagedx/b',
    ],
    ['inside another path', '/other/.runner/staged/a x/.runner/staged/b', '/other/.runner/staged/a x/.runner/staged/b'],
    ['a file URL', 'file:///repo/.runner/staged/a.py', 'file:///repo/a.py'],
    ['the same path under another directory', '/mnt/repo/.runner/staged/a.py', '/mnt/repo/.runner/staged/a.py'],
    [
      'after a colour sequence',
      '\x1b[1m/repo/.runner/staged/a.py\x1b[0m \x1b[33m.runner/staged/b',
      '\x1b[1m/repo/a.py\x1b[0m \x1b[33mb',
    ],
    ['the state directory itself', '/repo/.runner/logs/x.log', '/repo/.runner/logs/x.log'],
  ])('issue 15: %s', (_name, text, expected) => {
    expect(rewrite(text)).toBe(expected);
  });

  it('issue 15: a temporary staged tree of a source tree in a subdirectory', () => {
    const r = stagedPathRewrite([kept, temp]);
    expect(r('/repo/.runner/staged-4242-aB3xYz/app/pkg/a.py and /repo/.runner/staged/b')).toBe(
      '/repo/app/pkg/a.py and /repo/b',
    );
  });

  it('without roots, text is left as it is', () => {
    expect(stagedPathRewrite([])('/repo/.runner/staged/a')).toBe('/repo/.runner/staged/a');
  });
});

describe('StagedPathStream', () => {
  const text = Buffer.concat([
    Buffer.from('Traceback:\n  File "/repo/.runner/staged/pkg/a.py", line 1\n.runner/staged/b.py:2: \xe9\n', 'utf8'),
    Buffer.from([0xff, 0xfe, 0x0a]), // not UTF-8: kept byte for byte
    Buffer.from('x /repo/.runner/staged-4242-aB3xYz/app/c.py \x1b[1m.runner/staged/d /repo/.runner/staged', 'utf8'),
  ]);
  const roots = [kept, temp];
  const whole = Buffer.concat([
    Buffer.from('Traceback:\n  File "/repo/pkg/a.py", line 1\nb.py:2: \xe9\n', 'utf8'),
    Buffer.from([0xff, 0xfe, 0x0a]),
    Buffer.from('x /repo/app/c.py \x1b[1md /repo', 'utf8'),
  ]);

  it('issue 15: rewrites a stream in one chunk as the text rewrite does, other bytes untouched', () => {
    expect(streamed(roots, text, [])).toEqual(whole);
  });

  it('issue 15: a path cut between two chunks, at every byte, is still rewritten', () => {
    for (let cut = 0; cut <= text.length; cut++) expect(streamed(roots, text, [cut]), `cut at ${cut}`).toEqual(whole);
  });

  it('issue 15: chunks of one byte each', () => {
    expect(
      streamed(
        roots,
        text,
        Array.from({ length: text.length - 1 }, (_, i) => i + 1),
      ),
    ).toEqual(whole);
  });
});
