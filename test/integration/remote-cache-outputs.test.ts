// Issue 16, point 3 (remote side): a passed job's outputs travel in its
// artifact, against the real server (npm turborepo-remote-cache, on
// 127.0.0.1). A second clone at another path and HOME runs no job and gets
// the files byte for byte with their mode, recorded so that later local hits
// restore them too; an artifact tampered with in the server's storage (an
// output's bytes, a path climbing out, a link out of the tree, outputs left
// out) is a miss with a warning and writes nothing into the tree. The probe
// counts which jobs really ran.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { type Artifact, decodeArtifact, encodeArtifact } from '../../src/cache/index.js';
import { type RunJson, baseEnv, runJson, show } from '../helpers/cli.js';
import { PROBE_SCRIPT, setProbeControl } from '../helpers/probe.js';
import { type CacheServer, probeStarts, startCacheServer } from '../helpers/remote-cache.js';
import { type Sandbox, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

const TOKEN = 'ci-token-0a1b2c';
const TEAM = 'outputs-team';
const FILES = ['notes/a.txt', 'notes/b.txt'];

type RemoteRunJson = RunJson & {
  counts: RunJson['counts'] & { remoteHits?: number; restored?: number };
  remote?: { lookups: number; hits: number; uploads: number; errors: number };
};

interface Clone {
  sb: Sandbox;
  env: Record<string, string>;
}

/**
 * staged-demo with one tool, `gen` (gen.sh), on notes/*.txt: it runs the probe, then writes two outputs
 * per file, build/FILE.out (upper-cased, mode 750) and build/FILE.sum (its size). Every clone's probe
 * writes to `probeDir`, so the latched env is the same in every clone.
 */
function clone(server: CacheServer, probeDir?: string): Clone {
  const sb = useFixture('staged-demo');
  // A script, not a shell command line: runner tells its program (sh) by content, so the key is portable.
  writeText(
    sb,
    'gen.sh',
    'node "$PROBE_SCRIPT" "$1" || exit 1\n' +
      'mkdir -p "build/$(dirname "$1")"\n' +
      'tr a-z A-Z < "$1" > "build/$1.out" && chmod 750 "build/$1.out"\n' +
      'wc -c < "$1" > "build/$1.sum"\n',
  );
  writeConfig(sb, {
    env: { PROBE_DIR: probeDir ?? sb.scratch, PROBE_SCRIPT },
    tools: [
      {
        name: 'gen',
        command: ['sh', 'gen.sh', '{file}'],
        include: ['notes/*.txt'],
        inputs: ['gen.sh'],
        outputs: ['build/{file}.out', 'build/{file}.sum'],
      },
    ],
    remoteCache: { url: server.url, team: TEAM },
  });
  const home = path.join(sb.root, 'home');
  fs.mkdirSync(home);
  return { sb, env: baseEnv({ HOME: home, RUNNER_REMOTE_CACHE_TOKEN: TOKEN }) };
}

const run = (c: Clone) => runJson<RemoteRunJson>(['run'], { cwd: c.sb.tree, env: c.env });

const outputNames = FILES.flatMap((f) => [`build/${f}.out`, `build/${f}.sum`]);

/** Each output of `c`'s tree: its bytes and permission bits; null where it is missing. */
function outputsOf(c: Clone): Record<string, { bytes: string; mode: number } | null> {
  return Object.fromEntries(
    outputNames.map((rel) => {
      const abs = path.join(c.sb.tree, rel);
      if (!fs.existsSync(abs)) return [rel, null];
      return [rel, { bytes: fs.readFileSync(abs).toString('base64'), mode: fs.statSync(abs).mode & 0o777 }];
    }),
  );
}

/** Rewrites every artifact the server holds for TEAM through `tamper`. */
function tamperStored(server: CacheServer, tamper: (a: Artifact) => Artifact): void {
  for (const name of server.artifacts(TEAM)) {
    const file = path.join(server.storage, TEAM, name);
    const decoded = decodeArtifact(fs.readFileSync(file));
    if (!decoded.ok) throw new Error(`${name}: ${decoded.problem}`);
    fs.writeFileSync(file, encodeArtifact(tamper(decoded.artifact)));
  }
}

/** Clone A's run against a fresh server: every job ran, passed and was uploaded with its outputs. */
async function seeded(): Promise<{ server: CacheServer; a: Clone }> {
  const server = await startCacheServer({ token: TOKEN });
  const a = clone(server);
  const first = await run(a);
  expect(first.res.code, show(first.res)).toBe(0);
  expect(first.json.counts).toMatchObject({ jobs: FILES.length, ran: FILES.length, passed: FILES.length });
  expect(server.artifacts(TEAM)).toHaveLength(FILES.length);
  return { server, a };
}

describe('issue 16: outputs travel through the remote cache', () => {
  test('issue 16: a second clone at another path and HOME runs no job and gets the outputs byte for byte with their mode; a deleted one comes back locally, without a request', async () => {
    const { server, a } = await seeded();
    const probeDir = a.sb.scratch;
    const fromA = outputsOf(a);
    for (const rel of outputNames) expect(fromA[rel], rel).not.toBeNull();
    expect(fromA['build/notes/a.txt.out']?.mode).toBe(0o750);

    const b = clone(server, probeDir);
    const second = await run(b);
    expect(second.res.code, show(second.res)).toBe(0);
    expect(probeStarts(probeDir), 'clone b ran no job').toBe(FILES.length);
    expect(second.json.counts).toMatchObject({ ran: 0, remoteHits: FILES.length });
    expect(outputsOf(b)).toEqual(fromA);
    expect(second.res.stderr).not.toContain('warning');

    // Recorded with the result here: a deleted output is put back from b's own store, the server not asked.
    const asked = server.requests().length;
    fs.rmSync(path.join(b.sb.tree, 'build/notes/a.txt.out'));
    const third = await run(b);
    expect(third.res.code, show(third.res)).toBe(0);
    expect(third.json.counts).toMatchObject({ ran: 0, fresh: FILES.length, restored: 1 });
    expect(server.requests()).toHaveLength(asked);
    expect(probeStarts(probeDir)).toBe(FILES.length);
    expect(outputsOf(b)).toEqual(fromA);
  });

  test.each<[string, (a: Artifact) => Artifact, RegExp]>([
    [
      'the second output bytes that do not hash to its digest',
      (a) => ({
        ...a,
        // Its size in the header follows, so the artifact still parses: only the digest tells.
        header: { ...a.header, outputs: a.header.outputs.map((o, i) => (i === 1 ? { ...o, bytes: 7 } : o)) },
        outputs: [a.outputs[0]!, Buffer.from('forged\n'), ...a.outputs.slice(2)],
      }),
      /its content does not hash to its digest/,
    ],
    [
      'an output path climbing out of the tree with ..',
      (a) => ({
        ...a,
        header: {
          ...a.header,
          outputs: a.header.outputs.map((o, i) => (i === 1 ? { ...o, path: `build/../../escaped-${i}` } : o)),
        },
      }),
      /not a plain path inside the tree/,
    ],
    [
      'an absolute output path',
      (a) => ({
        ...a,
        header: {
          ...a.header,
          outputs: a.header.outputs.map((o, i) => (i === 1 ? { ...o, path: '/tmp/runner-escaped' } : o)),
        },
      }),
      /not a relative path/,
    ],
    [
      'an output path the tool does not declare (a source file)',
      (a) => ({
        ...a,
        header: {
          ...a.header,
          outputs: a.header.outputs.map((o, i) => (i === 1 ? { ...o, path: 'notes/b.txt' } : o)),
        },
      }),
      /notes\/b\.txt is not among the tool's outputs/,
    ],
    [
      'no outputs for a tool that declares them',
      (a) => ({ ...a, header: { ...a.header, outputs: [] }, outputs: [] }),
      /no output for build\//,
    ],
  ])(
    'issue 16: an artifact with %s is a miss with a warning, and writes nothing into the tree',
    async (_what, tamper, why) => {
      const { server, a } = await seeded();
      tamperStored(server, tamper);
      const b = clone(server, a.sb.scratch);
      // The jobs then run here and fail before writing anything: any output in b's tree came from a restore.
      setProbeControl(a.sb, 'fail', '*');
      const res = await run(b);
      expect(res.res.code, show(res.res)).toBe(1);
      expect(res.json.counts).toMatchObject({ ran: FILES.length, failed: FILES.length, remoteHits: 0 });
      expect(probeStarts(a.sb.scratch)).toBe(2 * FILES.length);
      const warnings = res.res.stderr.split('\n').filter((l) => l.includes('remote cache'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(
        /^runner: warning: remote cache: 2 artifacts carried outputs that cannot be restored \(e\.g\. gen notes\/a\.txt: .*\): taken as misses, the jobs run here$/,
      );
      expect(warnings[0]).toMatch(why);
      expect(fs.existsSync(path.join(b.sb.root, 'escaped-1'))).toBe(false);
      expect(fs.existsSync('/tmp/runner-escaped')).toBe(false);
      expect(fs.readFileSync(path.join(b.sb.tree, 'notes/b.txt'))).toEqual(
        fs.readFileSync(path.join(a.sb.tree, 'notes/b.txt')),
      );
      // Not even the outputs that were sound: a restore is whole or nothing.
      expect(fs.existsSync(path.join(b.sb.tree, 'build'))).toBe(false);
    },
  );

  test('issue 16: an artifact whose outputs would be written through a link out of the tree is a miss, and nothing lands outside', async () => {
    const { server, a } = await seeded();
    const b = clone(server, a.sb.scratch);
    // b's build/ is a link to a directory outside its tree: a restore must not write there.
    const outside = path.join(b.sb.root, 'outside');
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(b.sb.tree, 'build'));
    // The jobs then run here and fail before writing anything: whatever is outside came from a restore.
    setProbeControl(a.sb, 'fail', '*');
    const res = await run(b);
    expect(res.res.code, show(res.res)).toBe(1);
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(res.json.counts).toMatchObject({ ran: FILES.length, failed: FILES.length, remoteHits: 0 });
    expect(res.res.stderr).toMatch(
      /runner: warning: remote cache: 2 artifacts carried outputs that cannot be restored \(e\.g\. gen notes\/a\.txt: build\/notes\/a\.txt\.out: would be written outside the source tree \(through build\)\)/,
    );
  });
});
