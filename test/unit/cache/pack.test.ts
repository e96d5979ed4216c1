// Issue 16 (point 8): artifact packs. Every machine with the same files cuts
// the same packs, and a change moves only the pack it falls in; a pack reads
// back what it was given and names a body that is not one; the remote cache
// takes from a pack only the artifacts of the jobs asked for, and uploads a
// pack only once every member was uploaded in the run.
import { describe, expect, it } from 'vitest';
import {
  type Artifact,
  type ArtifactStore,
  type Lookup,
  RemoteCache,
  Secret,
  decodeArtifact,
  encodeArtifact,
} from '../../../src/cache/index.js';
import {
  MIN_PACK_MEMBERS,
  MAX_PACK_MEMBERS,
  decodePack,
  encodePack,
  packGroups,
  packKey,
} from '../../../src/cache/pack.js';
import type { RelPath } from '../../../src/types.js';

const job = (i: number, tool = 'lint', key = `k${i}`) => ({
  tool,
  path: `src/f${String(i).padStart(5, '0')}.py` as RelPath,
  key,
});
const many = (n: number, tool = 'lint') => Array.from({ length: n }, (_, i) => job(i, tool));

const artifactOf = (m: { tool: string; path: RelPath }, code = 0): Artifact => ({
  header: {
    format: 2,
    tool: m.tool,
    path: m.path,
    status: code === 0 ? 'passed' : 'failed',
    end: { kind: 'exit', code },
    durationMs: 3,
    logBytes: 0,
    outputs: [],
    encoding: 'identity',
  },
  log: Buffer.alloc(0),
  outputs: [],
});

describe('issue 16: packs, cut by path', () => {
  it('cuts the same packs from the same jobs in any order, each of at least MIN_PACK_MEMBERS', () => {
    const jobs = many(3000);
    const groups = packGroups(jobs);
    expect(groups.length).toBeGreaterThan(3);
    for (const g of groups) expect(g.members.length).toBeGreaterThanOrEqual(MIN_PACK_MEMBERS);
    expect(packGroups([...jobs].reverse())).toEqual(groups);
    expect(groups[0]!.key).toBe(packKey(groups[0]!.members));
    expect(groups[0]!.key).toMatch(/^runnerpack1-[0-9a-f]{64}$/);
  });

  it('a changed key changes its own pack only, and a file more or less moves only the pack it falls in', () => {
    const jobs = many(3000);
    const before = packGroups(jobs);
    const target = before[1]!.members[5]!;
    const changed = packGroups(jobs.map((j) => (j === target ? { ...j, key: 'changed' } : j)));
    expect(changed.map((g) => g.key).filter((k) => !before.some((b) => b.key === k))).toHaveLength(1);
    const fewer = packGroups(jobs.filter((j) => j !== target));
    const kept = fewer.filter((g) => before.some((b) => b.key === g.key));
    expect(kept).toHaveLength(before.length - 1);
  });

  it('never puts two tools in one pack, and cuts a long run at MAX_PACK_MEMBERS', () => {
    const groups = packGroups([...many(2000, 'a'), ...many(2000, 'b')]);
    for (const g of groups) expect(new Set(g.members.map((m) => m.tool)).size).toBe(1);
    for (const g of groups) expect(g.members.length).toBeLessThanOrEqual(MAX_PACK_MEMBERS);
    expect(packGroups(many(MIN_PACK_MEMBERS - 1))).toEqual([]);
  });
});

describe('issue 16: the pack codec', () => {
  const members = [
    { key: 'runner2-aa', artifact: Buffer.from('first') },
    { key: 'runner2-bb', artifact: Buffer.alloc(0) },
  ];

  it('reads back its members, keys and bytes', () => {
    expect(decodePack(encodePack(members))).toEqual({ ok: true, members });
  });

  it('names a body that is not a pack, a truncated one and one with bytes after its last member', () => {
    const body = encodePack(members);
    expect(decodePack(Buffer.from('RNRA\0\0\0\0'))).toEqual({ ok: false, problem: 'not a runner pack' });
    expect(decodePack(body.subarray(0, body.length - 1))).toEqual({ ok: false, problem: 'truncated' });
    expect(decodePack(Buffer.concat([body, Buffer.from('x')]))).toEqual({
      ok: false,
      problem: 'bytes after the last member',
    });
  });
});

/** A store in memory that records what it was asked: a fake passed in, as style.md has it. */
function memoryStore(): ArtifactStore & { stored: Map<string, Buffer>; asked: string[] } {
  const stored = new Map<string, Buffer>();
  const asked: string[] = [];
  return {
    stored,
    asked,
    get: (hash): Promise<Lookup> => {
      asked.push(hash);
      const body = stored.get(hash);
      return Promise.resolve(body === undefined ? { kind: 'miss' } : { kind: 'hit', body, tag: null });
    },
    put: (hash, body) => {
      stored.set(hash, body);
      return Promise.resolve({ kind: 'stored' });
    },
    close: () => {},
  };
}

const settings = { url: 'http://cache', team: 't', readOnly: false, token: new Secret('x'), signatureKey: null };

describe('issue 16: the remote cache and packs', () => {
  it('uploads a pack once all its members were uploaded in the run, and not when one was not', async () => {
    const store = memoryStore();
    const cache = new RemoteCache(settings, store, () => {});
    const groups = packGroups(many(400));
    expect(groups.length).toBeGreaterThan(0);
    cache.planPacks(groups);
    const [whole, ...rest] = groups;
    for (const m of whole!.members) cache.upload(m.key, () => artifactOf(m));
    // The other packs lose one member each: never uploaded (a job that did not run here, or was not shared).
    for (const g of rest) for (const m of g.members.slice(1)) cache.upload(m.key, () => artifactOf(m));
    await cache.finish();
    expect([...store.stored.keys()].filter((k) => k.startsWith('runnerpack'))).toEqual([whole!.key]);
    const pack = decodePack(store.stored.get(whole!.key)!);
    expect(pack.ok && pack.members.map((m) => m.key)).toEqual(whole!.members.map((m) => m.key));
    expect(cache.summary.uploads).toBe(store.stored.size - 1);
  });

  it('takes a pack only for the jobs asked for: a pack under another list of keys is a miss, with a warning', async () => {
    const store = memoryStore();
    const warnings: string[] = [];
    const cache = new RemoteCache(settings, store, (m) => warnings.push(m));
    const [g] = packGroups(many(400));
    const members = g!.members;
    const bodies = members.map((m) => ({ key: m.key, artifact: encodeArtifact(artifactOf(m)) }));
    store.stored.set(g!.key, encodePack(bodies));
    const taken = await cache.lookupPack(g!.key, members, undefined, (_i, a) => ({ ok: true, value: a.header.path }));
    expect(taken).toEqual(members.map((m) => m.path));
    expect(cache.summary).toMatchObject({ lookups: members.length, hits: members.length });

    // The same bytes under a key whose members differ (one key swapped): not trusted, not taken.
    const swapped = members.map((m, i) => (i === 0 ? { ...m, key: 'other' } : m));
    store.stored.set('swapped', encodePack(bodies));
    expect(await cache.lookupPack('swapped', swapped, undefined, () => ({ ok: true, value: 1 }))).toBeNull();
    // A member whose artifact names another job: that member alone is refused.
    const wrong = [...bodies];
    wrong[1] = { key: members[1]!.key, artifact: encodeArtifact(artifactOf(members[2]!)) };
    store.stored.set('wrong', encodePack(wrong));
    const some = await cache.lookupPack('wrong', members, undefined, (_i, a) => ({ ok: true, value: a.header.path }));
    expect(some?.filter((v) => v === null)).toHaveLength(1);
    expect(some?.[1]).toBeNull();
    // A miss is no job's miss: explain's "missed remotely" is for the keys asked for singly.
    expect(await cache.lookupPack('absent', members, undefined, () => ({ ok: true, value: 1 }))).toBeNull();
    expect(cache.wasMissed('absent')).toBe(false);
    await cache.finish();
    expect(warnings.join('\n')).toContain('2 artifacts named another job than the one asked for');
    expect(decodeArtifact(bodies[0]!.artifact).ok).toBe(true);
  });
});
