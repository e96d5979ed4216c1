// runner as a jobserver client under an emulated make (emulated-jobserver.py):
// pipe (--jobserver-auth=R,W), legacy (--jobserver-fds=R,W) and fifo styles, each through a normal run,
// --fail-fast, SIGINT and SIGTERM; then SIGHUP, job timeouts, a bad config and an explicit -j; and a server
// that holds the pipe at other descriptors than the ones it places in the child.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN, baseEnv } from '../helpers/cli.js';
import { isProcessAlive, writeConfig } from '../helpers/sandbox.js';
import { SPAN_PROBE, peakFromLog, readSpans, runEmulated, sortedChars, spanTree } from '../helpers/jobserver.js';

const setup = (nJobs: number, env: Record<string, string> = {}) => spanTree(nJobs, { env });

const STYLES: [string, string[]][] = [
  ['pipe (--jobserver-auth=3,4)', []],
  ['legacy (--jobserver-fds=3,4)', ['--legacy']],
  ['fifo (--jobserver-auth=fifo:PATH)', ['--fifo']],
];

describe.each(STYLES)('emulated jobserver, %s', (_name, styleArgs) => {
  it('runs 6 jobs within K+1 slots and gives back exactly the bytes it took', async () => {
    const { sb, log } = setup(6, { SPAN_MEET: '2' });
    const r = await runEmulated(['--tokens', '2', ...styleArgs], [process.execPath, BIN, 'run', '-q'], {
      cwd: sb.tree,
      env: baseEnv(),
    });
    const info = `${JSON.stringify(r)}\nspans:\n${fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : ''}`;
    expect(r.exit, info).toBe(0);
    expect(r.tokensBefore).toBe('+x');
    expect(r.tokensAfter, info).toBe(sortedChars(r.tokensBefore));
    expect(r.res.stderr, info).not.toMatch(/ignoring jobserver/);
    expect(r.sharedNonblock, 'runner left the shared read end O_NONBLOCK').toBe(false);
    expect(readSpans(log)).toHaveLength(6);
    const peak = peakFromLog(log);
    expect(peak, info).toBeLessThanOrEqual(3);
    expect(peak, info).toBeGreaterThan(1);
  });

  it('SIGINT mid-run: exit 130, every token back, every job dead', async () => {
    const { sb, log } = setup(6, { SPAN_MS: '5000' });
    const r = await runEmulated(
      ['--tokens', '2', ...styleArgs, '--signal', 'INT', '--after-starts', '2', '--span-log', log],
      [process.execPath, BIN, 'run', '-q'],
      { cwd: sb.tree, env: baseEnv() },
    );
    const info = `${JSON.stringify(r)}\nspans:\n${fs.readFileSync(log, 'utf8')}`;
    expect(r.exit, info).toBe(130);
    expect(r.tokensAfter, info).toBe(sortedChars(r.tokensBefore));
    const spans = readSpans(log);
    expect(spans.length, info).toBeGreaterThanOrEqual(2);
    for (const s of spans) expect(isProcessAlive(s.pid), `pid ${s.pid} (${s.label})\n${info}`).toBe(false);
  });

  it('SIGTERM mid-run: exit 143, every token back, every job dead', async () => {
    const { sb, log } = setup(6, { SPAN_MS: '5000' });
    const r = await runEmulated(
      ['--tokens', '2', ...styleArgs, '--signal', 'TERM', '--after-starts', '2', '--span-log', log],
      [process.execPath, BIN, 'run', '-q'],
      { cwd: sb.tree, env: baseEnv() },
    );
    const info = `${JSON.stringify(r)}\nspans:\n${fs.readFileSync(log, 'utf8')}`;
    expect(r.exit, info).toBe(143);
    expect(r.tokensAfter, info).toBe(sortedChars(r.tokensBefore));
    const spans = readSpans(log);
    expect(spans.length, info).toBeGreaterThanOrEqual(2);
    for (const s of spans) expect(isProcessAlive(s.pid), `pid ${s.pid} (${s.label})\n${info}`).toBe(false);
  });

  it('--fail-fast: exit 1, tokens back, no job starts after the failing job ended', async () => {
    // The jobs started with the failing one hold their slots far longer than it lives, so a job started after
    // the failure could only take its slot: a 4th span.
    const { sb, log } = setup(6, { SPAN_FAIL_ON: 'jobs/a1.txt', SPAN_MS: '5000' });
    const r = await runEmulated(['--tokens', '2', ...styleArgs], [process.execPath, BIN, 'run', '-q', '--fail-fast'], {
      cwd: sb.tree,
      env: baseEnv(),
    });
    const info = `${JSON.stringify(r)}\nspans:\n${fs.readFileSync(log, 'utf8')}`;
    expect(r.exit, info).toBe(1);
    expect(r.tokensAfter, info).toBe(sortedChars(r.tokensBefore));
    const spans = readSpans(log);
    const failing = spans.find((s) => s.label === 'jobs/a1.txt');
    expect(failing?.end, info).toBeTruthy();
    expect(spans.length, info).toBeLessThanOrEqual(3);
    expect(spans.length, info).toBeLessThan(6);
  });
});

describe('emulated pipe jobserver, the other ways out', () => {
  it('SIGHUP mid-run: exit 129, every token back, every job dead', async () => {
    const { sb, log } = setup(6, { SPAN_MS: '5000' });
    const r = await runEmulated(
      ['--tokens', '2', '--signal', 'HUP', '--after-starts', '2', '--span-log', log],
      [process.execPath, BIN, 'run', '-q'],
      { cwd: sb.tree, env: baseEnv() },
    );
    const info = `${JSON.stringify(r)}\nspans:\n${fs.readFileSync(log, 'utf8')}`;
    expect(r.exit, info).toBe(129);
    expect(r.tokensAfter, info).toBe(sortedChars(r.tokensBefore));
    for (const s of readSpans(log)) expect(isProcessAlive(s.pid), `pid ${s.pid}\n${info}`).toBe(false);
  });

  it('jobs killed by their timeout give their tokens back', async () => {
    const { sb, log } = setup(3, { SPAN_MS: '5000' });
    writeConfig(sb, {
      include: ['jobs/**'],
      env: { SPAN_LOG: log, SPAN_MS: '5000' },
      tools: [{ name: 'span', command: ['node', SPAN_PROBE, '{file}'], timeout: 0.5 }],
    });
    const r = await runEmulated(['--tokens', '2'], [process.execPath, BIN, 'run', '-q'], {
      cwd: sb.tree,
      env: baseEnv(),
    });
    const info = `${JSON.stringify(r)}\nspans:\n${fs.readFileSync(log, 'utf8')}`;
    expect(r.exit, info).toBe(1);
    expect(r.res.stdout, info).toContain('timed out');
    expect(r.tokensAfter, info).toBe(sortedChars(r.tokensBefore));
    for (const s of readSpans(log)) expect(isProcessAlive(s.pid), `pid ${s.pid}\n${info}`).toBe(false);
  });

  it('a bad config exits 2 and leaves every token in the jobserver', async () => {
    const { sb } = setup(3);
    writeConfig(sb, { tools: [{ name: 'span', command: ['node', SPAN_PROBE, '{file}'], timeout: '2m' }] });
    const r = await runEmulated(['--tokens', '2'], [process.execPath, BIN, 'run', '-q'], {
      cwd: sb.tree,
      env: baseEnv(),
    });
    expect(r.exit, JSON.stringify(r)).toBe(2);
    expect(r.res.stderr).toContain('tools[0].timeout is "2m"');
    expect(r.tokensAfter).toBe(sortedChars(r.tokensBefore));
  });

  it('an explicit -j N leaves the jobserver with a one-line warning and takes no token', async () => {
    const { sb, log } = setup(4);
    const r = await runEmulated(['--tokens', '2'], [process.execPath, BIN, 'run', '-q', '-j', '4', '--no-jobserver'], {
      cwd: sb.tree,
      env: baseEnv(),
    });
    const info = `${JSON.stringify(r)}\nspans:\n${fs.readFileSync(log, 'utf8')}`;
    expect(r.exit, info).toBe(0);
    const warnings = r.res.stderr.split('\n').filter((l) => l.includes('warning'));
    expect(warnings, info).toEqual([
      "runner: warning: -j 4 overrides make's jobserver: runner runs up to 4 jobs of its own beside make's",
    ]);
    expect(r.tokensAfter, info).toBe(sortedChars(r.tokensBefore));
  });
});

describe('emulated pipe jobserver placed at 3,4 only in the child', () => {
  // The server holds the pipe at 7,8 (and /dev/null at 3,4) and dup2s it onto 3,4 after fork: valid under the
  // protocol, since MAKEFLAGS names the child's descriptors, not the server's.
  it('issue 12: runner uses a server that holds the pipe at other descriptors and gives every token back', async () => {
    const { sb, log } = setup(8, { SPAN_MEET: '2' });
    const r = await runEmulated(['--tokens', '3', '--server-fds', '7,8'], [process.execPath, BIN, 'run', '-q'], {
      cwd: sb.tree,
      env: baseEnv(),
    });
    const info = `${JSON.stringify(r)}\nspans:\n${fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : ''}`;
    expect(r.exit, info).toBe(0);
    expect(r.res.stderr, info).not.toMatch(/warning/);
    expect(r.tokensBefore).toBe('+x+');
    expect(r.tokensAfter, info).toBe(sortedChars(r.tokensBefore));
    expect(r.sharedNonblock, 'runner left the shared read end O_NONBLOCK').toBe(false);
    expect(readSpans(log), info).toHaveLength(8);
    const peak = peakFromLog(log);
    expect(peak, info).toBeGreaterThan(1);
    expect(peak, info).toBeLessThanOrEqual(4);
  });
});
