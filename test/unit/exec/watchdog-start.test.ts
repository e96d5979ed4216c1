// Issue 14, point 7: the addon's watchdogStart starts the watchdog as
// child_process did (its own session, stdin on a socketpair it reads to end of
// file, stdout and stderr on /dev/null, signals at their defaults), without a
// fork of runner and on a thread of its own, until watchdogJoin; what runner
// writes before the join reaches it; runner's end never reaches another
// process, the process is reaped once it exits, and nothing of it keeps
// runner's event loop alive.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type NativeAddon, type WatchdogHandle, nativeAddon } from '../../../src/native-addon.js';
import { packageFile } from '../../../src/package-root.js';
import { socketInput } from '../../../src/exec/watchdog.js';
import { waitFor } from '../../helpers/sandbox.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-watchdog-start-'));
  dirs.push(dir);
  return dir;
}

function addon(): NativeAddon {
  const a = nativeAddon();
  expect(a).not.toBeNull();
  return a!;
}

/** Gone from /proc: exited and reaped (a zombie keeps its entry until its parent waits for it). */
const reaped = (pid: number): boolean => !fs.existsSync(`/proc/${pid}`);

describe('issue 14: the watchdog started by the addon', () => {
  it('runs in its own session, stdin a socket read to end of file, stdout and stderr on /dev/null, the env given', async () => {
    const out = path.join(tempDir(), 'out');
    // grep reads its own status, which it has from the shell (see native-spawn.test.ts).
    const script = [
      'one=$(readlink /proc/$$/fd/1) two=$(readlink /proc/$$/fd/2)',
      `exec > '${out}.tmp'`,
      `awk '{ print ($1 == $5 && $1 == $6) }' /proc/$$/stat`,
      'readlink /proc/$$/fd/0 | cut -d: -f1',
      'echo "$one"; echo "$two"',
      "grep -E '^Sig(Ign|Blk)' /proc/self/status",
      'echo "$0 $1 $WATCHED"',
      'cat',
      `mv '${out}.tmp' '${out}'`,
    ].join('\n');
    const started = addon().watchdogStart(['/bin/sh', '-c', script, 'probe-watchdog', 'arg'], ['WATCHED=yes']);
    expect(Array.isArray(started)).toBe(true);
    const [handle, fd] = started as [WatchdogHandle, number];
    const input = new net.Socket({ fd, readable: false, writable: true });
    input.write('first line\n'); // before the join: it waits in the socket
    const pid = addon().watchdogJoin(handle);
    expect(pid).toBeGreaterThan(0);
    expect(() => addon().watchdogJoin(handle)).toThrow(/once/);
    input.end('last line\n');
    const text = await waitFor('its output', () => fs.existsSync(out) && fs.readFileSync(out, 'utf8'), 10_000);
    expect(text).toBe(
      [
        '1',
        'socket',
        '/dev/null',
        '/dev/null',
        'SigBlk:\t0000000000000000',
        'SigIgn:\t0000000000000000',
        'probe-watchdog arg yes',
        'first line',
        'last line',
        '',
      ].join('\n'),
    );
    await waitFor('it to be reaped', () => reaped(pid), 10_000);
  });

  it("keeps runner's end close-on-exec, so no job inherits it, and non-blocking", () => {
    const started = addon().watchdogStart(['/bin/sh', '-c', 'cat > /dev/null'], []);
    const [handle, fd] = started as [WatchdogHandle, number];
    try {
      expect(addon().watchdogJoin(handle)).toBeGreaterThan(0);
      const flags = /^flags:\s*([0-7]+)$/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
      expect(Number.parseInt(flags ?? '0', 8) & 0o2000000).not.toBe(0); // O_CLOEXEC
      expect(Number.parseInt(flags ?? '0', 8) & 0o4000).not.toBe(0); // O_NONBLOCK
    } finally {
      fs.closeSync(fd); // end of file: it exits
    }
  });

  it('gives a negative errno at the join for a program that cannot start', () => {
    const [handle, fd] = addon().watchdogStart([path.join(tempDir(), 'absent')], []) as [WatchdogHandle, number];
    fs.closeSync(fd);
    expect(addon().watchdogJoin(handle)).toBe(-os.constants.errno.ENOENT);
  });

  it("keeps no event loop alive, and ends once runner's process has exited", async () => {
    const out = path.join(tempDir(), 'out');
    const parent = [
      `const a = require(${JSON.stringify(packageFile('native/build/Release/runner_spawn.node'))});`,
      `const r = a.watchdogStart(['/bin/sh', '-c', 'cat > /dev/null; echo ended > ${out}'], []);`,
      'if (!(a.watchdogJoin(r[0]) > 0)) process.exit(3);',
    ].join('\n');
    // Its end left open: only the parent's exit closes it.
    const res = spawnSync(process.execPath, ['-e', parent], { encoding: 'utf8', timeout: 10_000 });
    expect(res.status, res.stderr).toBe(0);
    await waitFor('the watchdog to see end of file', () => fs.existsSync(out), 10_000);
    expect(fs.readFileSync(out, 'utf8')).toBe('ended\n');
  });

  it('takes, in order, more than the socket holds while the watchdog reads nothing, then ends it', async () => {
    const out = path.join(tempDir(), 'out');
    const go = path.join(tempDir(), 'go');
    // It reads nothing until told: runner's writes find the socket full (EAGAIN) and wait for room.
    const script = `while [ ! -e '${go}' ]; do sleep 0.05; done; cat > '${out}.tmp'; mv '${out}.tmp' '${out}'`;
    const [handle, fd] = addon().watchdogStart(['/bin/sh', '-c', script], []) as [WatchdogHandle, number];
    expect(addon().watchdogJoin(handle)).toBeGreaterThan(0);
    const input = socketInput(fd);
    const lines = Array.from({ length: 40_000 }, (_, i) => `- ${i}\n`); // about 300 KB
    for (const line of lines) input.write(line);
    input.end();
    fs.writeFileSync(go, '');
    const text = await waitFor('all of it', () => fs.existsSync(out) && fs.readFileSync(out, 'utf8'), 20_000);
    expect(text).toBe(lines.join(''));
  });
});
