import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type EndFacts,
  type FdFacts,
  type PipeCheck,
  type ProcView,
  checkPipe,
  judgePipe,
  linuxProc,
  readFdFacts,
} from '../../../src/jobserver/index.js';

const PIPE = 'pipe:[77]';
const end = (
  fd: number,
  target: string | null,
  accessMode: number | null,
  isFifo = target?.startsWith('pipe:') ?? false,
): EndFacts => ({ fd, target, isFifo, accessMode });
const facts = (read: EndFacts, write: EndFacts, parent: string[] | null): FdFacts => ({
  read,
  write,
  parent: { pid: 42, targets: parent },
});
const makePipe = (parent: string[] | null): FdFacts => facts(end(3, PIPE, 0), end(4, PIPE, 1), parent);

describe('judgePipe: use the pipe MAKEFLAGS names, or ignore it', () => {
  const table: [string, FdFacts, PipeCheck['ok'], string?][] = [
    ["make's + recipe: the parent holds the pipe at the same numbers", makePipe(['/dev/null', PIPE, PIPE]), true],
    [
      'issue 12: a server that holds the pipe at 7,8 and placed it at 3,4 only in the child',
      makePipe(['/dev/null', '/dev/null', '/dev/null', '/dev/null', '/dev/null', PIPE, PIPE]),
      true,
    ],
    ['issue 12: a parent that kept only one end of the pipe', makePipe(['/dev/null', PIPE]), true],
    ["the parent's descriptors cannot be read: the pipe checks alone decide", makePipe(null), true],
    [
      'a recipe without +: descriptor 3 closed',
      facts(end(3, null, null), end(4, PIPE, 1), [PIPE]),
      false,
      'descriptor 3 is not open in runner',
    ],
    [
      "a recipe without +: Node's epoll and a libuv pipe took 3,4",
      facts(end(3, 'anon_inode:[eventpoll]', 2), end(4, 'pipe:[90]', 0), [PIPE]),
      false,
      'descriptors 3 and 4 are not the two ends of one pipe (anon_inode:[eventpoll], pipe:[90])',
    ],
    [
      'ends of two different pipes',
      facts(end(3, 'pipe:[90]', 0), end(4, PIPE, 1), ['pipe:[90]', PIPE]),
      false,
      'descriptors 3 and 4 are not the two ends of one pipe (pipe:[90], pipe:[77])',
    ],
    [
      'one regular file at both numbers',
      facts(end(3, '/tmp/x', 0), end(4, '/tmp/x', 1), ['/tmp/x']),
      false,
      'descriptors 3 and 4 are not the two ends of one pipe (/tmp/x, /tmp/x)',
    ],
    [
      "the stale 4,5 case: a pipe of Node's own passes every local check, the parent does not hold it",
      facts(end(4, 'pipe:[90]', 0), end(5, 'pipe:[90]', 1), ['/dev/null', PIPE]),
      false,
      'the parent process (pid 42) does not hold that pipe (pipe:[90])',
    ],
    [
      'ends opened the wrong way round',
      facts(end(3, PIPE, 1), end(4, PIPE, 0), [PIPE]),
      false,
      'descriptors 3 and 4 are not open for reading and writing respectively',
    ],
    [
      'both ends open for reading',
      facts(end(3, PIPE, 0), end(4, PIPE, 0), null),
      false,
      'descriptors 3 and 4 are not open for reading and writing respectively',
    ],
  ];

  it.each(table)('%s', (_name, f, ok, detail) => {
    const r = judgePipe(f);
    expect(r.ok).toBe(ok);
    if (!r.ok) expect(r.detail).toBe(detail);
  });

  it("says what told the pipe from one of Node's own", () => {
    expect(judgePipe(makePipe([PIPE]))).toEqual({ ok: true, basis: 'parent-holds-it' });
    expect(judgePipe(makePipe(null))).toEqual({ ok: true, basis: 'parent-unreadable' });
  });
});

describe('readFdFacts', () => {
  it('reads both ends of runner and every descriptor of the parent through the ProcView', () => {
    const view: ProcView = {
      fdTarget: (fd) => ({ 3: PIPE, 4: PIPE })[fd] ?? null,
      accessMode: (fd) => ({ 3: 0, 4: 1 })[fd] ?? null,
      isFifo: (fd) => fd === 3 || fd === 4,
      parentPid: () => 42,
      heldTargets: (pid) => (pid === 42 ? ['/dev/null', PIPE] : null),
    };
    expect(readFdFacts(3, 4, view)).toEqual(facts(end(3, PIPE, 0, true), end(4, PIPE, 1, true), ['/dev/null', PIPE]));
  });
});

describe('linuxProc on this process', () => {
  it('lists what a readable process holds, by link target', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-validate-'));
    const file = path.join(dir, 'held');
    const fd = fs.openSync(file, 'w');
    try {
      expect(linuxProc.fdTarget(fd)).toBe(fs.realpathSync(file));
      expect(linuxProc.heldTargets(process.pid)).toContain(fs.realpathSync(file));
    } finally {
      fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a pid whose descriptors cannot be read gives null, not an empty list', () => {
    expect(linuxProc.heldTargets(2 ** 22 + 1)).toBeNull(); // above the largest pid_max: no such /proc entry
  });

  it('checkPipe refuses two descriptors that are not open', () => {
    expect(checkPipe(1000, 1001, linuxProc)).toMatchObject({ ok: false, problem: 'closed-fd' });
  });
});
