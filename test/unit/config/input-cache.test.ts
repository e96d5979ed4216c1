import type fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputCache } from '../../../src/config/input-cache.js';

const T = 1_700_000_000_000;
function stat(over: Partial<fs.Stats> = {}): fs.Stats {
  return { size: 10, mtimeMs: T, ctimeMs: T, ino: 7, ...over } as fs.Stats;
}

describe('InputCache', () => {
  it('reuses a digest while size, mtime, ctime and inode are unchanged', () => {
    const c = new InputCache();
    c.storeFile('/a', stat(), 'd1', T + 10_000);
    expect(c.file('/a', stat())).toBe('d1');
    for (const changed of [{ size: 11 }, { mtimeMs: T + 1 }, { ctimeMs: T + 1 }, { ino: 8 }]) {
      expect(c.file('/a', stat(changed)), JSON.stringify(changed)).toBeUndefined();
    }
  });

  it("does not reuse a digest taken within the racy margin of the file's last change", () => {
    const c = new InputCache();
    c.storeFile('/a', stat(), 'd1', T + 500);
    expect(c.file('/a', stat())).toBeUndefined();
  });

  it('round-trips through its snapshot, keeping only what was used, and is unchanged after a round that used everything', () => {
    const c = new InputCache();
    c.storeFile('/a', stat(), 'd1', T + 10_000);
    c.storeFile('/b', stat(), 'd2', T + 10_000);
    c.storeDir('/d', stat(), ['x'], ['sub'], T + 10_000);
    const again = InputCache.decode(c.encode());
    expect(again.file('/a', stat())).toBe('d1');
    expect(again.dir('/d', stat())).toMatchObject({ files: ['x'], dirs: ['sub'] });
    expect(again.changed).toBe(true); // /b went unused: it is dropped at the next write
    const third = InputCache.decode(again.encode());
    expect(third.file('/b', stat())).toBeUndefined();
    expect(third.file('/a', stat())).toBe('d1');
    expect(third.dir('/d', stat())).toBeDefined();
    expect(third.changed).toBe(false);
  });

  it('treats a snapshot it cannot parse as empty', () => {
    expect(InputCache.decode(Buffer.from('not json')).file('/a', stat())).toBeUndefined();
  });
});
