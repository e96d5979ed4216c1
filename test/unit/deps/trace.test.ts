import { describe, expect, it } from 'vitest';
import { parseTrace, traceArgs } from '../../../src/deps/trace.js';
import { parseCall, tracedCalls } from '../../../src/deps/trace-lines.js';

const TRACE = `
4101  execve("/usr/bin/python3", ["python3", "t.py"], 0x7ffc /* 5 vars */) = 0
4101  access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)
4101  openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3
4101  openat(AT_FDCWD, "data/input.txt", O_RDONLY|O_CLOEXEC) = 4
4101  newfstatat(AT_FDCWD, "lib/helper.py", {st_mode=S_IFREG|0644, st_size=10, ...}, 0) = 0
4101  openat(AT_FDCWD, "out/result.txt", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 5
4101  openat(AT_FDCWD, "state.db", O_RDWR|O_CREAT, 0644) = 6
4101  openat(AT_FDCWD, "missing.py", O_RDONLY) = -1 ENOENT (No such file or directory)
4102  openat(AT_FDCWD, "my\\"odd\\" name\\n.txt", O_RDONLY) = 3
4101  openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3
4101  +++ exited with 0 +++
`;

describe('parseTrace', () => {
  it('keeps what was opened, read or run, once each; not writes, not failures', () => {
    expect(parseTrace(TRACE, '/src')).toEqual([
      '/usr/bin/python3',
      '/etc/ld.so.cache',
      '/src/data/input.txt',
      '/src/lib/helper.py',
      '/src/state.db',
      '/src/my"odd" name\n.txt',
    ]);
  });

  // [what, trace lines, paths recorded]
  const rows: [string, string[], string[]][] = [
    [
      'a call split by another process is joined by pid',
      [
        '7 openat(AT_FDCWD</src>, "a.txt", O_RDONLY <unfinished ...>',
        '8 openat(AT_FDCWD</src>, "b.txt", O_RDONLY) = 3</src/b.txt>',
        '7 <... openat resumed>)             = 3</src/a.txt>',
      ],
      ['/src/b.txt', '/src/a.txt'],
    ],
    [
      'split calls of several processes interleave, each joined with its own start',
      [
        '7 openat(AT_FDCWD</src>, "a.txt", O_RDONLY <unfinished ...>',
        '8 newfstatat(AT_FDCWD</src>, "b.txt",  <unfinished ...>',
        '9 openat(AT_FDCWD</src>, "c.txt", O_WRONLY|O_CREAT|O_TRUNC, 0666 <unfinished ...>',
        '8 <... newfstatat resumed>{st_mode=S_IFREG|0644, st_size=2, ...}, 0) = 0',
        '9 <... openat resumed>) = 4</src/c.txt>',
        '7 <... openat resumed>) = 3</src/a.txt>',
      ],
      ['/src/b.txt', '/src/a.txt'],
    ],
    [
      'a split call that failed read nothing',
      [
        '7 openat(AT_FDCWD</src>, "gone.txt", O_RDONLY <unfinished ...>',
        '8 openat(AT_FDCWD</src>, "b.txt", O_RDONLY) = 3</src/b.txt>',
        '7 <... openat resumed>) = -1 ENOENT (No such file or directory)',
      ],
      ['/src/b.txt'],
    ],
    [
      'a call whose process was killed inside it read nothing, whether or not strace printed its end',
      [
        '7 openat(AT_FDCWD</src>, "fifo", O_RDONLY <unfinished ...>',
        '8 openat(AT_FDCWD</src>, "never.txt", O_RDONLY <unfinished ...>',
        '9 kill(7, SIGKILL) = 0',
        '7 <... openat resumed>) = ?',
        '7 +++ killed by SIGKILL +++',
        '8 +++ killed by SIGKILL +++',
      ],
      [],
    ],
    ['a resumed half whose start is missing is not guessed at', ['7 <... openat resumed>) = 3</src/a.txt>'], []],
    [
      'a relative name is read in the directory strace printed for it',
      [
        '7 openat(AT_FDCWD</src/sub>, "x.txt", O_RDONLY) = 3</src/sub/x.txt>',
        '7 openat(3</src/lib>, "../y.txt", O_RDONLY) = 4</src/y.txt>',
        '7 newfstatat(3</src/lib>, "", {st_mode=S_IFREG|0644, st_size=1, ...}, AT_EMPTY_PATH) = 0',
        '7 openat(AT_FDCWD</src/we\\"i\\76r\\74d>, "f", O_RDONLY) = 3</src/we\\"i\\76r\\74d/f>',
      ],
      ['/src/sub/x.txt', '/src/y.txt', '/src/we"i>r<d/f'],
    ],
    [
      'names are bytes, read as UTF-8',
      ['7 openat(AT_FDCWD</src>, "caf\\303\\251.txt", O_RDONLY) = 3</src/caf\\303\\251.txt>'],
      ['/src/café.txt'],
    ],
    [
      'calls printed without a directory follow chdir, fchdir and forks, even a child seen before its fork',
      [
        '7 execve("/bin/sh", ["sh"], 0x1 /* 1 vars */) = 0',
        '7 chdir("sub") = 0',
        '7 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD <unfinished ...>',
        '8 access("early.txt", R_OK) = 0',
        '7 <... clone resumed>, child_tidptr=0x7f) = 8',
        '8 chdir("deeper") = 0',
        '8 access("late.txt", R_OK) = 0',
        '7 access("parent.txt", R_OK) = 0',
        '7 fchdir(3</other>) = 0',
        '7 stat("here.txt", {st_mode=S_IFREG|0644, ...}) = 0',
        '7 vfork() = 9',
        '9 execve("./tool", ["./tool"], 0x1 /* 1 vars */) = 0',
      ],
      [
        '/bin/sh',
        '/src/sub/early.txt',
        '/src/sub/deeper/late.txt',
        '/src/sub/parent.txt',
        '/other/here.txt',
        '/other/tool',
      ],
    ],
    [
      "without strace's directories (an older strace), names are read from the job's directory",
      ['7 openat(AT_FDCWD, "a.txt", O_RDONLY) = 3'],
      ['/src/a.txt'],
    ],
  ];
  for (const [what, lines, expected] of rows) {
    it(what, () => {
      expect(parseTrace(lines.join('\n') + '\n', '/src')).toEqual(expected);
    });
  }

  it('puts strace before the command, following forks and directories, writing to the trace file', () => {
    expect(traceArgs('/tmp/t')).toEqual(['-f', '-qq', '-y', '-e', 'trace=%file,%process,fchdir', '-o', '/tmp/t', '--']);
  });
});

describe('strace lines', () => {
  it('splits a call into arguments and result, keeping strings, structs and decorations whole', () => {
    expect(parseCall('7', 'openat(AT_FDCWD</a, b>, "x, (y)", O_RDONLY) = 3</a, b/x, (y)>')).toEqual({
      pid: '7',
      name: 'openat',
      args: ['AT_FDCWD</a, b>', '"x, (y)"', 'O_RDONLY'],
      result: '3</a, b/x, (y)>',
    });
    expect(
      parseCall('', 'newfstatat(AT_FDCWD, "f", {st_mode=S_IFREG|0644, st_size=1, ...}, 0) = 0')?.args,
    ).toHaveLength(4);
    expect(parseCall('', 'vfork() = 9')).toEqual({ pid: '', name: 'vfork', args: [], result: '9' });
    expect(parseCall('7', '--- SIGCHLD {si_signo=SIGCHLD} ---')).toBeNull();
    expect(parseCall('7', '+++ exited with 0 +++')).toBeNull();
  });

  it('a call that never resumed comes out without a result', () => {
    expect([...tracedCalls('7 openat(AT_FDCWD, "f", O_RDONLY <unfinished ...>\n')]).toEqual([
      { pid: '7', name: 'openat', args: [], result: '?' },
    ]);
  });
});
