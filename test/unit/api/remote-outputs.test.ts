// Issue 16, point 3 (remote side): a result's outputs packed for an artifact
// from the local store (within the per-artifact cap), and a hit's outputs
// taken into the store only when every one of them may be: the rules a
// hostile or broken server's artifact meets, on real files in a temp dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acceptOutputs, packOutputs } from '../../../src/api/remote-outputs.js';
import { type Artifact, type ArtifactOutput, MAX_ARTIFACT_BYTES } from '../../../src/cache/index.js';
import { digestBytes } from '../../../src/hash.js';
import { blobPath, hasBlob, storeBlob, writeOutputList } from '../../../src/outputs/index.js';
import type { PlannedJob } from '../../../src/plan/index.js';
import type { Digest, Fingerprint, RelPath } from '../../../src/types.js';

let dir: string;
let root: string;
let stateDir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-remote-outputs-'));
  root = path.join(dir, 'tree');
  stateDir = path.join(root, '.runner');
  fs.mkdirSync(stateDir, { recursive: true });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const FP = 'f00d' as Fingerprint;

/** A planned job of a tool with `outputs`, on src/a.c: only what acceptOutputs reads of it. */
const jobWith = (outputs: string[]): PlannedJob =>
  ({ job: { path: 'src/a.c', tool: { config: { name: 'cc', outputs } } } }) as unknown as PlannedJob;

/** A passed artifact carrying `files` (path and content). */
function artifactOf(files: [string, string][], status: 'passed' | 'failed' = 'passed'): Artifact {
  const data = files.map(([, text]) => Buffer.from(text));
  const outputs: ArtifactOutput[] = files.map(([p], i) => ({
    path: p,
    mode: 0o644,
    digest: digestBytes(data[i]!),
    bytes: data[i]!.length,
  }));
  return {
    header: {
      format: 2,
      tool: 'cc',
      path: 'src/a.c' as RelPath,
      status,
      end: { kind: 'exit', code: status === 'passed' ? 0 : 1 },
      durationMs: 1,
      logBytes: 0,
      outputs,
      encoding: 'identity',
    },
    log: Buffer.alloc(0),
    outputs: data,
  };
}

describe('issue 16: outputs through the remote cache', () => {
  it("packs a result's outputs from the store, in its list's order", () => {
    const d = storeBlob(stateDir, Buffer.from('obj'));
    writeOutputList(stateDir, FP, [{ path: 'build/a.o' as RelPath, mode: 0o755, digest: d, size: 3 }]);
    expect(packOutputs(stateDir, FP, 10)).toEqual({
      kind: 'packed',
      outputs: [{ path: 'build/a.o', mode: 0o755, digest: d, bytes: 3 }],
      data: [Buffer.from('obj')],
    });
  });

  it('does not pack a result over the cap (decided from the list, nothing read), nor one whose blob went', () => {
    const d = storeBlob(stateDir, Buffer.from('obj'));
    writeOutputList(stateDir, FP, [{ path: 'a.o' as RelPath, mode: 0o644, digest: d, size: MAX_ARTIFACT_BYTES }]);
    expect(packOutputs(stateDir, FP, 1)).toEqual({ kind: 'too-large', bytes: MAX_ARTIFACT_BYTES + 1 });
    writeOutputList(stateDir, FP, [{ path: 'a.o' as RelPath, mode: 0o644, digest: d, size: 3 }]);
    fs.chmodSync(blobPath(stateDir, d), 0o644);
    fs.unlinkSync(blobPath(stateDir, d));
    expect(packOutputs(stateDir, FP, 1)).toEqual({ kind: 'gone' });
    expect(packOutputs(stateDir, 'beef' as Fingerprint, 1)).toEqual({ kind: 'gone' });
  });

  it('takes sound outputs into the store and lists them, writing nothing into the tree', () => {
    const a = artifactOf([
      ['build/src/a.c.o', 'obj'],
      ['build/src/a.c.d', 'dep'],
    ]);
    const got = acceptOutputs({ root, stateDir }, jobWith(['build/{file}.o', 'build/*/*.d']), a);
    expect(got).toEqual({
      ok: true,
      value: {
        outputs: a.header.outputs.map((o) => ({ path: o.path, mode: o.mode, digest: o.digest, size: o.bytes })),
        bytes: 6,
      },
    });
    for (const o of a.header.outputs) expect(hasBlob(stateDir, o.digest as Digest)).toBe(true);
    expect(fs.existsSync(path.join(root, 'build'))).toBe(false);
  });

  it.each<[string, [string, string][], string]>([
    ['a path in .git', [['.git/hooks/pre-commit', 'x']], '.git/hooks/pre-commit: inside .git'],
    ['a path in the state directory', [['.runner/x', 'x']], '.runner/x: inside the state directory'],
    [
      'a path given twice',
      [
        ['out/a', 'x'],
        ['out/a', 'y'],
      ],
      'out/a twice',
    ],
    ['a path with an empty part', [['out//a', 'x']], 'out//a: not a plain path inside the tree'],
    ['a path with a backslash', [['out\\..\\a', 'x']], 'out\\..\\a: not a relative path'],
  ])('refuses %s, keeping nothing', (_what, files, problem) => {
    const got = acceptOutputs({ root, stateDir }, jobWith(['**/*']), artifactOf(files));
    expect(got).toEqual({ ok: false, problem });
    expect(fs.existsSync(path.join(stateDir, 'outputs'))).toBe(false);
  });

  it('refuses a path no pattern of the job names (its own source file), and a pattern no output meets', () => {
    const job = jobWith(['build/{file}.o']);
    expect(acceptOutputs({ root, stateDir }, job, artifactOf([['src/a.c', 'x']]))).toEqual({
      ok: false,
      problem: "src/a.c is not among the tool's outputs",
    });
    expect(acceptOutputs({ root, stateDir }, job, artifactOf([]))).toEqual({
      ok: false,
      problem: 'no output for build/src/a.c.o',
    });
  });

  it('refuses outputs on a failure, or on a tool that declares none', () => {
    expect(acceptOutputs({ root, stateDir }, jobWith(['*.o']), artifactOf([['a.o', 'x']], 'failed'))).toEqual({
      ok: false,
      problem: 'outputs where none are kept',
    });
    expect(acceptOutputs({ root, stateDir }, jobWith([]), artifactOf([['a.o', 'x']]))).toEqual({
      ok: false,
      problem: 'outputs where none are kept',
    });
    expect(acceptOutputs({ root, stateDir }, jobWith([]), artifactOf([]))).toEqual({
      ok: true,
      value: { outputs: [], bytes: 0 },
    });
  });
});
