// A failing job with a huge log (issue 12): the terminal shows a bounded tail
// that names the full log, and the merged log gets all of it, copied in
// chunks. The tool writes 50 MB on one line with head and tr, in well under a second.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { baseEnv, runRunner } from '../helpers/cli.js';
import { useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

const SIZE = 50 * 1024 * 1024;
/** What the terminal may show of it: the tail runner reads (32 KiB) and a few lines of its own. */
const SHOWN_AT_MOST = 36 * 1024;

test('issue 12: a 50 MB one-line failure log prints only a bounded tail naming the log, and the merged log holds all of it', async () => {
  const sb = useFixture('js-demo');
  writeText(sb, 'only/one.txt', 'x\n');
  writeConfig(sb, {
    include: ['only/**'],
    tools: [
      { name: 'big', command: ['sh', '-c', `head -c ${SIZE} /dev/zero | tr '\\0' x; echo; echo the error; exit 1`] },
    ],
  });
  const merged = path.join(sb.scratch, 'merged.log');
  const res = await runRunner(['run', '--merged-log', merged], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, res.stderr).toBe(1);
  expect(res.stdout.length).toBeLessThan(SHOWN_AT_MOST);
  const m = /\n {2}\| \.\.\. \(only the end of this 52\.4 MB log is shown; the full log is (\S+)\)\n/.exec(res.stdout);
  expect(m, res.stdout.slice(0, 500)).not.toBeNull();
  const log = path.resolve(sb.tree, m![1]!);
  expect(fs.statSync(log).size).toBe(SIZE + 11);
  expect(res.stdout).toMatch(/ {2}\| x+\n {2}\| the error\n {2}log: \S+\n/);
  // The merged log: header, the whole log, a blank line.
  const header = '==> big only/one.txt (exit 1) <==\n';
  expect(fs.statSync(merged).size).toBe(header.length + SIZE + 11 + 1);
  const fd = fs.openSync(merged, 'r');
  try {
    const end = Buffer.alloc(16);
    fs.readSync(fd, end, 0, 16, header.length + SIZE + 11 + 1 - 16);
    expect(end.toString()).toBe('xxxx\nthe error\n\n');
    const start = Buffer.alloc(header.length + 3);
    fs.readSync(fd, start, 0, start.length, 0);
    expect(start.toString()).toBe(header + 'xxx');
  } finally {
    fs.closeSync(fd);
  }
}, 60_000);
