import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type OutputEntry,
  blobPath,
  listPath,
  outputsState,
  readOutputList,
  restoreOutputs,
  storeBlob,
  sweepOutputs,
  writeOutputList,
} from '../../../src/outputs/index.js';
import { writeStatCache } from '../../../src/outputs/store.js';
import type { Digest, Fingerprint, RelPath } from '../../../src/types.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function temp(): { root: string; stateDir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-outputs-'));
  dirs.push(root);
  return { root, stateDir: path.join(root, '.runner') };
}

const FP = 'f'.repeat(32) as Fingerprint;

describe('issue 16: the local store of outputs', () => {
  it('keeps content once by digest, and refuses bytes that do not hash to the digest a list names', () => {
    const { stateDir } = temp();
    const digest = storeBlob(stateDir, Buffer.from('int a;\n'));
    expect(fs.readFileSync(blobPath(stateDir, digest), 'utf8')).toBe('int a;\n');
    expect(storeBlob(stateDir, Buffer.from('int a;\n'), digest)).toBe(digest);
    expect(() => storeBlob(stateDir, Buffer.from('evil\n'), digest)).toThrow(/not to/);
  });

  it('reads no list whose paths climb out of the source tree, or that does not parse', () => {
    const { stateDir } = temp();
    const entry = { path: '../x' as RelPath, mode: 0o644, digest: 'a'.repeat(32) as Digest, size: 1 };
    writeOutputList(stateDir, FP, [entry]);
    expect(readOutputList(stateDir, FP)).toBeNull();
    fs.writeFileSync(listPath(stateDir, FP), '{');
    expect(readOutputList(stateDir, FP)).toBeNull();
  });

  it('says intact, restore or missing, and puts back content and mode', () => {
    const { root, stateDir } = temp();
    const digest = storeBlob(stateDir, Buffer.from('out\n'));
    const entry: OutputEntry = { path: 'build/a.o' as RelPath, mode: 0o755, digest, size: 4 };
    writeOutputList(stateDir, FP, [entry]);
    const scope = { root, stateDir };
    expect(outputsState(scope, FP)).toEqual({ kind: 'restore', outputs: [entry] });
    restoreOutputs(scope, [entry]);
    expect(fs.readFileSync(path.join(root, 'build/a.o'), 'utf8')).toBe('out\n');
    expect(fs.statSync(path.join(root, 'build/a.o')).mode & 0o777).toBe(0o755);
    expect(outputsState(scope, FP)).toEqual({ kind: 'intact' });
    fs.writeFileSync(path.join(root, 'build/a.o'), 'new\n');
    fs.rmSync(blobPath(stateDir, digest), { force: true });
    expect(outputsState(scope, FP)).toEqual({ kind: 'missing' });
    expect(outputsState(scope, 'e'.repeat(32) as Fingerprint)).toEqual({ kind: 'missing' });
  });

  it('sweeps the lists of results not kept and the content no kept list names', () => {
    const { stateDir } = temp();
    const kept = storeBlob(stateDir, Buffer.from('kept\n'));
    const gone = storeBlob(stateDir, Buffer.from('gone\n'));
    const other = 'e'.repeat(32) as Fingerprint;
    writeOutputList(stateDir, FP, [{ path: 'a' as RelPath, mode: 0o644, digest: kept, size: 5 }]);
    writeOutputList(stateDir, other, [{ path: 'b' as RelPath, mode: 0o644, digest: gone, size: 5 }]);
    sweepOutputs(stateDir, () => new Set([FP]));
    expect(fs.existsSync(listPath(stateDir, other))).toBe(false);
    expect(fs.existsSync(blobPath(stateDir, gone))).toBe(false);
    expect(fs.existsSync(blobPath(stateDir, kept))).toBe(true);
    expect(readOutputList(stateDir, FP)).toHaveLength(1);
  });

  it('trusts a settled stat it cached, and reads again an output whose stat changed', () => {
    const { root, stateDir } = temp();
    const digest = storeBlob(stateDir, Buffer.from('out\n'));
    const entry: OutputEntry = { path: 'a.o' as RelPath, mode: 0o644, digest, size: 4 };
    writeOutputList(stateDir, FP, [entry]);
    const file = path.join(root, 'a.o');
    fs.writeFileSync(file, 'out\n', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    let reads = 0;
    const scope = { root, stateDir, knownDigest: () => (reads++, undefined) };
    expect(outputsState(scope, FP)).toEqual({ kind: 'intact' });
    expect(reads).toBe(1);
    // As if checked long after the file last changed: its stat is trusted, its content not read.
    const st = fs.statSync(file);
    writeStatCache(stateDir, FP, {
      checkedAt: Math.max(st.mtimeMs, st.ctimeMs) + 60_000,
      stats: { 'a.o': [st.size, st.mtimeMs, st.ctimeMs, st.ino] },
    });
    expect(outputsState(scope, FP)).toEqual({ kind: 'intact' });
    expect(reads).toBe(1);
    // Same size, other bytes: the stat moved, so it is read, and put back.
    fs.writeFileSync(file, 'OUT\n');
    expect(outputsState(scope, FP)).toEqual({ kind: 'restore', outputs: [entry] });
    expect(reads).toBe(2);
  });

  it('never writes an output through a directory that links out of the tree', () => {
    const { root, stateDir } = temp();
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-outside-'));
    dirs.push(outside);
    fs.symlinkSync(outside, path.join(root, 'build'));
    const digest = storeBlob(stateDir, Buffer.from('out\n'));
    const entry: OutputEntry = { path: 'build/a.o' as RelPath, mode: 0o644, digest, size: 4 };
    expect(() => restoreOutputs({ root, stateDir }, [entry])).toThrow(/outside the source tree/);
    expect(fs.readdirSync(outside)).toEqual([]);
  });
});
