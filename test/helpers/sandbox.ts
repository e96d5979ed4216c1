// Temp copies of fixtures/<name>/, one per test, removed when the test ends.
// Never touches the committed fixtures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { assertSchemaAccepts } from './config-schema.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = path.join(REPO, 'fixtures');

export interface Sandbox {
  /** The fresh temp dir (removed after the test). */
  root: string;
  /** The copy of the fixture: the source tree the runner works on. */
  tree: string;
  /** Outside the source tree: probe logs, pid files, merged logs. */
  scratch: string;
}

const cleanups: (() => void)[] = [];

/** Registers work to do before the sandbox goes away (killing leftover processes). */
export function beforeSandboxRemoval(fn: () => void): void {
  cleanups.push(fn);
}

/** Copies fixtures/<name> to <tmp>/runner-test-XXXX/tree and removes the temp dir after the test. */
export function useFixture(
  name:
    | 'python-demo'
    | 'js-demo'
    | 'python-deps'
    | 'deps-dynamic'
    | 'js-deps'
    | 'js-follow'
    | 'js-tsconfig'
    | 'js-workspaces'
    | 'staged-demo',
): Sandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-test-'));
  onTestFinished(() => {
    for (const fn of cleanups.splice(0)) fn();
    fs.rmSync(root, { recursive: true, force: true });
  });
  const tree = path.join(root, 'tree');
  const scratch = path.join(root, 'scratch');
  const source = path.join(FIXTURES, name);
  // Skip state and caches a manual run may have left in the fixture (README: `runner run -C fixtures/python-demo`).
  const skipped = new Set(['.runner', '__pycache__', 'node_modules']);
  fs.cpSync(source, tree, { recursive: true, filter: (from) => !skipped.has(path.basename(from)) });
  fs.mkdirSync(scratch);
  return { root, tree, scratch };
}

export function readText(sb: Sandbox, rel: string): string {
  return fs.readFileSync(path.join(sb.tree, rel), 'utf8');
}

export function writeText(sb: Sandbox, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(sb.tree, rel)), { recursive: true });
  fs.writeFileSync(path.join(sb.tree, rel), text);
}

export function appendText(sb: Sandbox, rel: string, text: string): void {
  fs.appendFileSync(path.join(sb.tree, rel), text);
}

// Config as the tests edit it: plain JSON objects.
export interface ToolDef {
  name: string;
  command: string | string[];
  [key: string]: unknown;
}
export interface ConfigDef {
  tools: ToolDef[];
  env?: Record<string, string | string[]>;
  passEnv?: string[];
  [key: string]: unknown;
}

export function readConfig(sb: Sandbox): ConfigDef {
  return JSON.parse(readText(sb, '.runnerrc.json')) as ConfigDef;
}

/** Also checks that the shipped JSON Schema accepts every config runner accepts (issue 15). */
export function writeConfig(sb: Sandbox, config: unknown): void {
  assertSchemaAccepts(config);
  writeText(sb, '.runnerrc.json', JSON.stringify(config, null, 2) + '\n');
}

/** Polls until `check` returns a value other than undefined/false; fails after timeoutMs. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** True while a process exists and is not a zombie (a zombie has exited; only its parent's reaping is pending). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
