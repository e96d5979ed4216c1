import { describe, expect, it } from 'vitest';
import { parseTrace, traceArgs } from '../../../src/deps/trace.js';

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

  it('puts strace before the command, following forks, writing to the trace file', () => {
    expect(traceArgs('/tmp/t')).toEqual(['-f', '-qq', '-e', 'trace=%file', '-o', '/tmp/t', '--']);
  });
});
