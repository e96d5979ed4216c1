// src/deps/stat-identity.ts: a directory the python graph listed is proved
// unchanged by its stat, or when the stat moved by the same names and kinds
// (an entry made and removed since, as watchman's cookie in the root on
// every run that asks it, changes nothing); one listed while its times were
// too recent is proved by listing alone. Any new or removed name, or a
// change of kind, is seen.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { identityHolds, listKinds, listingIdentity, statIdentity } from '../../../src/deps/stat-identity.js';

function dir(names: string[]): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-listing-'));
  onTestFinished(() => fs.rmSync(d, { recursive: true, force: true }));
  for (const n of names) fs.writeFileSync(path.join(d, n), '');
  return d;
}

// Taken as if the read came well after the last change (past the racy margin), so its stat proves the listing.
const LATER = 60_000;
const identify = (d: string): string => listingIdentity(statIdentity(d, Date.now() + LATER), listKinds(d)).id;

test('an entry made and removed since moves the stat but not the listing: it holds', () => {
  const d = dir(['a.py']);
  const id = identify(d);
  expect(id).toMatch(/^d:.*\|[0-9a-f]{16}$/);
  fs.writeFileSync(path.join(d, 'tmp'), '');
  fs.rmSync(path.join(d, 'tmp'));
  fs.utimesSync(d, 1_000_000, 1_000_000); // the stat surely moved, whatever the clock's grain
  expect(statIdentity(d, Date.now() + LATER).id).not.toBe(id.slice(0, id.indexOf('|')));
  expect(identityHolds(d, id, Date.now())).toBe(true);
  // A watchman cookie still there when the check lists it: left out.
  fs.writeFileSync(path.join(d, '.watchman-cookie-host-1-1'), '');
  expect(identityHolds(d, id, Date.now())).toBe(true);
});

test('a new name, a removed one, or a file become a directory is seen', () => {
  const d = dir(['a.py', 'b.py']);
  const id = identify(d);
  fs.writeFileSync(path.join(d, 'c.py'), '');
  expect(identityHolds(d, id, Date.now())).toBe(false);
  fs.rmSync(path.join(d, 'c.py'));
  fs.rmSync(path.join(d, 'b.py'));
  expect(identityHolds(d, id, Date.now())).toBe(false);
  fs.mkdirSync(path.join(d, 'b.py'));
  expect(identityHolds(d, id, Date.now())).toBe(false);
  fs.rmSync(path.join(d, 'b.py'), { recursive: true });
  fs.writeFileSync(path.join(d, 'b.py'), '');
  expect(identityHolds(d, id, Date.now())).toBe(true);
  fs.rmSync(d, { recursive: true });
  expect(identityHolds(d, id, Date.now())).toBe(false);
});

test('a directory listed while its times were too recent is proved by its listing alone', () => {
  const d = dir(['a.py']);
  const soon = Date.now() / 1000 + 3600; // however slow the machine, not older than the read
  fs.utimesSync(d, soon, soon);
  const st = statIdentity(d, Date.now());
  expect(st.racy).toBe(true);
  const id = listingIdentity(st, listKinds(d));
  expect(id).toEqual({ id: expect.stringMatching(/^L:[0-9a-f]{16}$/), racy: false });
  expect(identityHolds(d, id.id, Date.now())).toBe(true);
  fs.writeFileSync(path.join(d, 'b.py'), '');
  fs.utimesSync(d, soon, soon);
  expect(identityHolds(d, id.id, Date.now())).toBe(false);
});

test('plain stat identities (files, missing paths) still compare by stat', () => {
  const d = dir(['a.py']);
  const file = path.join(d, 'a.py');
  const id = statIdentity(file, Date.now()).id;
  expect(identityHolds(file, id, Date.now())).toBe(true);
  fs.writeFileSync(file, 'x');
  expect(identityHolds(file, id, Date.now())).toBe(false);
  expect(identityHolds(path.join(d, 'missing'), '-', Date.now())).toBe(true);
  expect(listingIdentity(statIdentity(path.join(d, 'missing'), Date.now()), null).id).toBe('-');
});
