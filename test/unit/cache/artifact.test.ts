// Issue 16: the remote cache's artifact codec reads back what it wrote, and
// names, never guesses at, a body that is not one of its artifacts: a hostile
// or broken server's bytes are a miss, not a result.
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type Artifact, artifactKey, decodeArtifact, encodeArtifact } from '../../../src/cache/index.js';
import type { Fingerprint, RelPath } from '../../../src/types.js';

const passed: Artifact = {
  header: {
    format: 2,
    tool: 'lint',
    path: 'src/a.py' as RelPath,
    status: 'passed',
    end: { kind: 'exit', code: 0 },
    durationMs: 12.5,
    logBytes: 6,
    outputs: [],
    encoding: 'identity',
  },
  log: Buffer.from('ok \x00\xff\n', 'latin1'),
  outputs: [],
};

/** The magic, a header of `header` (JSON) and `rest` as the payload. */
function raw(header: unknown, rest = Buffer.alloc(0), magic = 'RNRA'): Buffer {
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(h.length);
  return Buffer.concat([Buffer.from(magic), len, h, rest]);
}

describe('issue 16: the remote cache artifact', () => {
  it('reads back a result, its log bytes (any bytes) and its outputs', () => {
    expect(decodeArtifact(encodeArtifact(passed))).toEqual({ ok: true, artifact: passed });
    const withOutputs: Artifact = {
      header: {
        ...passed.header,
        status: 'failed',
        end: { kind: 'exit', code: 3 },
        logBytes: 0,
        outputs: [
          { path: 'gen/a.o', mode: 0o644, digest: 'ba7816bf8f01cfea414140de5dae2223', bytes: 3 },
          { path: 'gen/b', mode: 0o755, digest: 'e3b0c44298fc1c149afbf4c8996fb924', bytes: 0 },
        ],
      },
      log: Buffer.alloc(0),
      outputs: [Buffer.from('abc'), Buffer.alloc(0)],
    };
    expect(decodeArtifact(encodeArtifact(withOutputs))).toEqual({ ok: true, artifact: withOutputs });
  });

  it('gzips a payload of 1 KiB or more, and stores a smaller one as it is', () => {
    const big: Artifact = { ...passed, header: { ...passed.header, logBytes: 4096 }, log: Buffer.alloc(4096, 'x') };
    const body = encodeArtifact(big);
    expect(body.length).toBeLessThan(1024);
    expect(decodeArtifact(body)).toEqual({
      ok: true,
      artifact: { ...big, header: { ...big.header, encoding: 'gzip' } },
    });
    expect(encodeArtifact(passed).includes(passed.log)).toBe(true);
  });

  it('is keyed by the fingerprint under the format version', () => {
    // issue 16: format 2 carries each output's digest; a format 1 artifact (none) is never asked for.
    expect(artifactKey('ab12' as Fingerprint)).toBe('runner2-ab12');
  });

  const h = passed.header;
  it.each<[string, Buffer, string]>([
    ['an empty body', Buffer.alloc(0), 'not a runner artifact'],
    ['plain text', Buffer.from('hello, not an artifact'), 'not a runner artifact'],
    ['a gzipped artifact (no magic up front)', zlib.gzipSync(encodeArtifact(passed)), 'not a runner artifact'],
    ['another magic', raw(h, Buffer.alloc(6), 'TURB'), 'not a runner artifact'],
    ['a header longer than the body', Buffer.from('RNRA\x00\x00\x01\x00{}', 'latin1'), 'truncated header'],
    ['a header that is not JSON', Buffer.from('RNRA\x00\x00\x00\x02{x', 'latin1'), 'header is not JSON'],
    ['another format', raw({ ...h, format: 1 }, Buffer.alloc(6)), 'header has the wrong shape'],
    [
      'issue 16: an output without its digest',
      raw({ ...h, outputs: [{ path: 'a.o', mode: 0o644, bytes: 1 }] }, Buffer.alloc(7)),
      'header has the wrong shape',
    ],
    [
      'issue 16: an output whose mode is more than permission bits',
      raw({ ...h, outputs: [{ path: 'a.o', mode: 0o104755, digest: '0'.repeat(32), bytes: 1 }] }, Buffer.alloc(7)),
      'header has the wrong shape',
    ],
    [
      'a pass that exited 1',
      raw({ ...h, end: { kind: 'exit', code: 1 } }, Buffer.alloc(6)),
      'header has the wrong shape',
    ],
    [
      'a timeout',
      raw({ ...h, status: 'failed', end: { kind: 'timeout' } }, Buffer.alloc(6)),
      'header has the wrong shape',
    ],
    ['an interrupted status', raw({ ...h, status: 'interrupted' }, Buffer.alloc(6)), 'header has the wrong shape'],
    ['a negative log size', raw({ ...h, logBytes: -1 }), 'header has the wrong shape'],
    ['no outputs list', raw({ ...h, outputs: undefined }, Buffer.alloc(6)), 'header has the wrong shape'],
    ['an unknown encoding', raw({ ...h, encoding: 'br' }, Buffer.alloc(6)), 'header has the wrong shape'],
    [
      'a gzip payload that is not gzip',
      raw({ ...h, encoding: 'gzip' }, Buffer.alloc(6)),
      'payload is not gzip, or too large',
    ],
    ['a log shorter than said', raw(h, Buffer.alloc(5)), 'sizes do not add up'],
    ['bytes after the log', raw(h, Buffer.alloc(7)), 'sizes do not add up'],
  ])('refuses %s', (_what, body, problem) => {
    expect(decodeArtifact(body)).toEqual({ ok: false, problem });
  });
});
