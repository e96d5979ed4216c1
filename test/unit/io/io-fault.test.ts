// The words runner uses for its own I/O faults, and which mount holds a path.
import { describe, expect, test } from 'vitest';
import { type IoFault, describeFault, mountHolding, parseMountinfo, remedyFor } from '../../../src/io-fault.js';

const MOUNTINFO = [
  '22 1 252:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '30 22 0:26 / /tmp rw,nosuid shared:5 - tmpfs tmpfs rw',
  '41 30 0:40 / /tmp/my\\040state rw - tmpfs small rw,size=2048k',
  '42 30 0:41 / /tmp/t rw - tmpfs first rw',
  '43 42 0:42 / /tmp/t ro - tmpfs second ro',
  '',
].join('\n');

describe('mountHolding', () => {
  const mounts = parseMountinfo(MOUNTINFO);
  test.each([
    ['/home/u/src/.runner', '/dev/vda', '/'],
    ['/tmp/x', 'tmpfs', '/tmp'],
    ['/tmp', 'tmpfs', '/tmp'],
    ['/tmpfoo/x', '/dev/vda', '/'],
    ['/tmp/my state/manifest.db', 'small', '/tmp/my state'],
    ['/tmp/t/a', 'second', '/tmp/t'],
  ])('%s lies on %s mounted at %s', (real, source, mountPoint) => {
    expect(mountHolding(mounts, real)).toEqual({ source, mountPoint });
  });
});

describe('describeFault and remedyFor', () => {
  const dev = { source: 'tmpfs', mountPoint: '/s' };
  test.each<[IoFault, string, string]>([
    [{ kind: 'no-space', device: dev }, 'no space left on tmpfs mounted at /s', 'free some space there and run again'],
    [{ kind: 'no-space', device: null }, 'no space left on its file system', 'free some space there and run again'],
    [
      { kind: 'quota', device: dev },
      'disk quota exceeded on tmpfs mounted at /s',
      'free some space there and run again',
    ],
    [
      { kind: 'read-only-fs', device: dev },
      'read-only file system (tmpfs mounted at /s)',
      'remount it read-write, or use --state-dir DIR',
    ],
    [
      { kind: 'read-only-file', mode: 0o444 },
      'the file is read-only (mode 0444)',
      'make it writable (chmod u+w), or use --state-dir DIR',
    ],
    [
      { kind: 'permission', owner: 0, mode: 0o644, uid: 1000 },
      'permission denied (owner uid 0, mode 0644; runner runs as uid 1000)',
      'give runner write access to it, or use --state-dir DIR',
    ],
    [
      { kind: 'other', detail: 'SQLITE_IOERR_FSYNC: disk I/O error' },
      'SQLITE_IOERR_FSYNC: disk I/O error',
      'check the device, then run again',
    ],
  ])('%j', (fault, words, remedy) => {
    expect(describeFault(fault)).toBe(words);
    expect(remedyFor(fault)).toBe(remedy);
    expect(remedy).not.toContain('clean');
  });
});
