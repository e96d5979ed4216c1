// Steps many tests share: a run that must pass, and a listing of a tree.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { baseEnv, runJson, show, type RunJson } from './cli.js';
import { resetProbeLog } from './probe.js';
import type { Sandbox } from './sandbox.js';

/** A run that must exit 0; clears the probe log so the next run's log stands alone. */
export async function passingRun(sb: Sandbox, env = baseEnv()): Promise<RunJson> {
  const { res, json } = await runJson(['run'], { cwd: sb.tree, env });
  expect(res.code, show(res)).toBe(0);
  resetProbeLog(sb);
  return json;
}

/** Every file below dir, as paths relative to it with '/'. */
export function listTree(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = prefix + e.name;
    return e.isDirectory() ? listTree(path.join(dir, e.name), rel + '/') : [rel];
  });
}
