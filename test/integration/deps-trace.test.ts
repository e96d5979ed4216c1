// "deps": "trace" on jobs that read from many processes at once, and from
// other directories than the one they start in: every file the job really
// opened is recorded, and a change to any one of them runs the job again.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { baseEnv, runJson, show } from '../helpers/cli.js';
import { readProbeLog } from '../helpers/probe.js';
import { type Sandbox, appendText, useFixture, writeConfig, writeText } from '../helpers/sandbox.js';

type Recorded = { recorded: { tool: string; kind: string; deps: string[] | null }[] };

// Each of 8 processes, started together, opens 5 files with one `cat`: 10 tracked in the tree, 10 untracked in
// the tree, 20 outside it. The probe line is what counts a run.
const PARALLEL = `#!/bin/sh
echo "start $1 $$" >> "$PROBE_DIR/probe.log"
for p in 0 1 2 3 4 5 6 7; do
  set --
  for k in 1 2 3 4 5; do
    n=$((p * 5 + k))
    if [ $n -le 10 ]; then set -- "$@" "include/par/f$n.h"
    elif [ $n -le 20 ]; then set -- "$@" "data/par/f$n.txt"
    else set -- "$@" "$OUTSIDE/f$n.txt"; fi
  done
  cat "$@" > /dev/null &
done
wait
`;

function fileOf(sb: Sandbox, n: number): { shown: string; abs: string } {
  const shown =
    n <= 10 ? `include/par/f${n}.h` : n <= 20 ? `data/par/f${n}.txt` : path.join(sb.scratch, 'outside', `f${n}.txt`);
  return { shown, abs: path.isAbsolute(shown) ? shown : path.join(sb.tree, shown) };
}

function traced(sb: Sandbox, command: string[]): void {
  writeConfig(sb, {
    include: ['src/**', 'include/**'],
    env: { LANG: 'C.UTF-8', PROBE_DIR: sb.scratch, OUTSIDE: path.join(sb.scratch, 'outside') },
    tools: [{ name: 'par', command, include: ['src/use.txt'], deps: 'trace' }],
  });
}

async function runCount(sb: Sandbox): Promise<number> {
  const before = readProbeLog(sb).started.length;
  const { res } = await runJson(['run'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  return readProbeLog(sb).started.length - before;
}

test('issue 10: a traced job that opens 40 files from 8 processes at once records all 40, and a change to any re-runs it', async () => {
  const sb = useFixture('deps-dynamic');
  fs.mkdirSync(path.join(sb.scratch, 'outside'));
  for (let n = 1; n <= 40; n++) {
    const f = fileOf(sb, n);
    fs.mkdirSync(path.dirname(f.abs), { recursive: true });
    fs.writeFileSync(f.abs, `${n}\n`);
  }
  writeText(sb, 'tools/par.sh', PARALLEL);
  traced(sb, ['sh', 'tools/par.sh', '{file}']);
  expect(await runCount(sb)).toBe(1);

  const { res, json } = await runJson<Recorded>(['deps', 'src/use.txt'], { cwd: sb.tree, env: baseEnv() });
  expect(res.code, show(res)).toBe(0);
  const deps = json.recorded[0]!.deps ?? [];
  const missing = Array.from({ length: 40 }, (_, i) => fileOf(sb, i + 1).shown).filter((f) => !deps.includes(f));
  expect(missing).toEqual([]);

  expect(await runCount(sb)).toBe(0);
  // One of each kind, and the last process's last file.
  for (const n of [3, 14, 27, 40]) {
    fs.appendFileSync(fileOf(sb, n).abs, 'edited\n');
    expect(await runCount(sb), `after editing ${fileOf(sb, n).shown}`).toBe(1);
  }
  expect(await runCount(sb)).toBe(0);
}, 180_000); // nine runs under strace: a minute or more on a busy machine

test('issue 10: a traced job that changes directory records the files it opened there', async () => {
  const sb = useFixture('deps-dynamic');
  writeText(sb, 'data/deep/two.txt', '2\n');
  // One file by a relative name after cd (openat), one by access() in a forked child after a second cd.
  const script =
    'echo "start $1 $$" >> "$PROBE_DIR/probe.log"; cd data && cat one.txt > /dev/null && (cd deep && test -r two.txt)';
  traced(sb, ['sh', '-c', script, 'sh', '{file}']);
  expect(await runCount(sb)).toBe(1);
  const { json } = await runJson<Recorded>(['deps', 'src/use.txt'], { cwd: sb.tree, env: baseEnv() });
  expect(json.recorded[0]!.deps).toEqual(expect.arrayContaining(['data/one.txt', 'data/deep/two.txt']));
  appendText(sb, 'data/one.txt', 'edited\n');
  expect(await runCount(sb)).toBe(1);
  appendText(sb, 'data/deep/two.txt', 'edited\n');
  expect(await runCount(sb)).toBe(1);
  expect(await runCount(sb)).toBe(0);
}, 120_000);
