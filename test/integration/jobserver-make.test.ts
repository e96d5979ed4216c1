// runner as a jobserver client under real GNU make, and as a jobserver server
// for a nested make when run alone.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, baseEnv, type RunResult } from '../helpers/cli.js';
import { writeConfig, type Sandbox } from '../helpers/sandbox.js';
import { INTERNAL_LINE, SPAN_PROBE, peakFromLog, readSpans, spawnCollect, spanTree } from '../helpers/jobserver.js';

const NODE = process.execPath;
const isSibling = (l: string) => l.startsWith('sibling-');
const isJob = (l: string) => l.startsWith('jobs/');
const isNested = (l: string) => l.startsWith('nested-');

interface Setup {
  sb: Sandbox;
  log: string;
}

const setup = (nJobs: number, tools?: unknown[]): Setup => spanTree(nJobs, { tools });
/** Jobs that each wait (up to 20 s) until a second of their kind has started: they overlap whenever they may. */
const MEET = { SPAN_MEET: '2' };

/** Makefile in scratch: `all` runs runner (recipe prefix given) beside three span-probe siblings. */
function outerMakefile(s: Setup, prefix: '+' | ''): string {
  const mk = path.join(s.sb.scratch, 'Makefile');
  const sib = (n: number) => `sibling-${n}:\n\tSPAN_LOG=${s.log} ${NODE} ${SPAN_PROBE} sibling-${n}\n`;
  fs.writeFileSync(
    mk,
    `.PHONY: all runner sibling-1 sibling-2 sibling-3\n` +
      `all: runner sibling-1 sibling-2 sibling-3\n` +
      `runner:\n\t${prefix}${NODE} ${BIN} -C ${s.sb.tree} run -q\n` +
      sib(1) +
      sib(2) +
      sib(3),
  );
  return s.sb.scratch;
}

/** sub/Makefile (outside the included files) with 4 targets each running the span probe. */
function nestedMakefile(s: Setup): string {
  const dir = path.join(s.sb.tree, 'sub');
  const names = [1, 2, 3, 4].map((n) => `nested-${n}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'Makefile'),
    `.PHONY: all ${names.join(' ')}\nall: ${names.join(' ')}\n` +
      names.map((n) => `${n}:\n\t${NODE} ${SPAN_PROBE} ${n}\n`).join(''),
  );
  return dir;
}

function make(args: string[], cwd: string): Promise<RunResult> {
  return spawnCollect('make', args, { cwd, env: baseEnv() });
}

function info(res: RunResult, log: string): string {
  const spans = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '(no span log)';
  return `exit ${res.code} ${res.signal ?? ''}\n--- stdout\n${res.stdout}--- stderr\n${res.stderr}--- spans\n${spans}`;
}

describe('runner under real GNU make', () => {
  it('make -j4 with a + recipe: runner shares the pool with sibling targets', async () => {
    const s = spanTree(8, { env: MEET });
    const res = await make(['-j4'], outerMakefile(s, '+'));
    const msg = info(res, s.log);
    expect(res.code, msg).toBe(0);
    expect(res.stderr, msg).not.toMatch(INTERNAL_LINE);
    expect(res.stderr, msg).not.toMatch(/ignoring jobserver/);
    expect(
      readSpans(s.log).filter((x) => isJob(x.label)),
      msg,
    ).toHaveLength(8);
    expect(
      readSpans(s.log).filter((x) => isSibling(x.label)),
      msg,
    ).toHaveLength(3);
    expect(peakFromLog(s.log), msg).toBeLessThanOrEqual(4);
    expect(peakFromLog(s.log, isJob), msg).toBeGreaterThan(1);
  });

  it('make -j1: one job at a time overall', async () => {
    const s = setup(4);
    const res = await make(['-j1'], outerMakefile(s, '+'));
    const msg = info(res, s.log);
    expect(res.code, msg).toBe(0);
    expect(res.stderr, msg).not.toMatch(INTERNAL_LINE);
    expect(readSpans(s.log), msg).toHaveLength(7);
    expect(peakFromLog(s.log), msg).toBe(1);
  });

  it('a recipe without + under make -j4: warns and runs its jobs one at a time', async () => {
    const s = setup(4);
    const res = await make(['-j4'], outerMakefile(s, ''));
    const msg = info(res, s.log);
    expect(res.code, msg).toBe(0);
    expect(res.stderr, msg).toMatch(/jobserver/);
    expect(res.stderr, msg).toContain("prefix the recipe with '+'");
    expect(res.stderr, msg).not.toMatch(INTERNAL_LINE);
    expect(
      readSpans(s.log).filter((x) => isJob(x.label)),
      msg,
    ).toHaveLength(4);
    expect(peakFromLog(s.log, isJob), msg).toBe(1);
  });

  it('a nested make run by a job joins the outer make -j4 pool', async () => {
    const s = setup(1);
    const sub = nestedMakefile(s);
    writeConfig(s.sb, {
      include: ['jobs/**'],
      env: { SPAN_LOG: s.log, ...MEET },
      tools: [{ name: 'nested', command: ['make', '-s', '-C', sub] }],
    });
    const mk = path.join(s.sb.scratch, 'Makefile');
    fs.writeFileSync(mk, `.PHONY: all\nall:\n\t+${NODE} ${BIN} -C ${s.sb.tree} run -q\n`);
    const res = await make(['-j4'], s.sb.scratch);
    const msg = info(res, s.log);
    expect(res.code, msg).toBe(0);
    expect(res.stderr, msg).not.toMatch(INTERNAL_LINE);
    expect(res.stderr, msg).not.toMatch(/warning/);
    expect(
      readSpans(s.log).filter((x) => isNested(x.label)),
      msg,
    ).toHaveLength(4);
    expect(peakFromLog(s.log, isNested), msg).toBeGreaterThan(1);
    expect(peakFromLog(s.log), msg).toBeLessThanOrEqual(4);
  });

  it('500 trivial jobs under make -j2: every token goes back', async () => {
    const s = setup(500, [{ name: 'true', command: ['true'] }]);
    const mk = path.join(s.sb.scratch, 'Makefile');
    fs.writeFileSync(mk, `.PHONY: all\nall:\n\t+${NODE} ${BIN} -C ${s.sb.tree} run -q\n`);
    const res = await make(['-j2'], s.sb.scratch);
    const msg = info(res, s.log);
    expect(res.code, msg).toBe(0);
    expect(res.stderr, msg).not.toMatch(INTERNAL_LINE);
    expect(res.stdout, msg).toMatch(/500 ran \(500 passed/);
  }, 60_000);
});

describe('runner alone serving its own jobserver', () => {
  function nestedAlone(env: Record<string, string> = {}): Setup & { sub: string } {
    const s = setup(1);
    const sub = nestedMakefile(s);
    writeConfig(s.sb, {
      include: ['jobs/**'],
      env: { SPAN_LOG: s.log, ...env },
      tools: [{ name: 'nested', command: ['make', '-s', '-C', sub] }],
    });
    return { ...s, sub };
  }

  it('-j 3: a nested make uses the pool, at most 3 at once', async () => {
    const s = nestedAlone(MEET);
    const res = await spawnCollect(NODE, [BIN, '-C', s.sb.tree, '-j', '3', 'run', '-q'], {
      cwd: s.sb.tree,
      env: baseEnv(),
    });
    const msg = info(res, s.log);
    expect(res.code, msg).toBe(0);
    expect(res.stderr, msg).not.toMatch(/warning/);
    expect(readSpans(s.log), msg).toHaveLength(4);
    expect(peakFromLog(s.log, isNested), msg).toBeGreaterThan(1);
    expect(peakFromLog(s.log, isNested), msg).toBeLessThanOrEqual(3);
  });

  it('-j 3 --no-jobserver: the nested make runs one target at a time', async () => {
    const s = nestedAlone();
    const res = await spawnCollect(NODE, [BIN, '-C', s.sb.tree, '-j', '3', 'run', '-q', '--no-jobserver'], {
      cwd: s.sb.tree,
      env: baseEnv(),
    });
    const msg = info(res, s.log);
    expect(res.code, msg).toBe(0);
    expect(readSpans(s.log), msg).toHaveLength(4);
    expect(peakFromLog(s.log, isNested), msg).toBe(1);
  });
});
