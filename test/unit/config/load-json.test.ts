// JSON configs are read without cosmiconfig (config/load.ts readJsonConfig,
// issue 14): what loadConfig finds must be what cosmiconfig 9 finds, with the
// same options, for every JSON layout, and cosmiconfig still reads the rest.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SEARCH_PLACES, loadConfig } from '../../../src/config/load.js';

const config = (name: string): object => ({ tools: [{ name, command: ['true', '{file}'] }] });

/** A temp directory holding `files` (name to text). */
function dirWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-load-json-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, '.git')); // the search stops here
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** What cosmiconfig itself finds there: the file and its first tool's name, or why it failed. */
async function byCosmiconfig(dir: string, file?: string): Promise<string> {
  const explorer = cosmiconfig('runner', {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'none',
    cache: false,
    ignoreEmptySearchPlaces: false,
  });
  try {
    const r = file === undefined ? await explorer.search(dir) : await explorer.load(path.join(dir, file));
    if (r === null) return 'none';
    const tools = (r.config as { tools?: { name: string }[] } | null | undefined)?.tools;
    return `${path.basename(r.filepath)} ${tools?.[0]?.name ?? '(no tools)'}`;
  } catch {
    return 'error';
  }
}

/** What runner's loadConfig finds there, in the same terms. */
async function byRunner(dir: string, file?: string): Promise<string> {
  try {
    const r = await loadConfig({ cwd: dir, startDir: dir, ...(file === undefined ? {} : { configFile: file }) });
    return `${path.basename(r.file)} ${r.config.tools[0]?.name ?? '(no tools)'}`;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // runner words "no config" and a package.json without "runner" as errors of its own.
    return /config is missing|"runner" key/.test(message) ? 'none' : 'error';
  }
}

const pkg = (extra: object): string => JSON.stringify({ name: 'x', version: '1.0.0', ...extra });

describe('issue 14: a JSON config is read as cosmiconfig reads it', () => {
  const layouts: [string, Record<string, string>][] = [
    ['.runnerrc.json alone', { '.runnerrc.json': JSON.stringify(config('rc')) }],
    ['package.json with "runner"', { 'package.json': pkg({ runner: config('pkg') }) }],
    [
      'package.json without "runner", then .runnerrc.json',
      { 'package.json': pkg({}), '.runnerrc.json': JSON.stringify(config('rc')) },
    ],
    [
      'package.json with "runner" before .runnerrc.json',
      { 'package.json': pkg({ runner: config('pkg') }), '.runnerrc.json': JSON.stringify(config('rc')) },
    ],
    [
      'package.json with "runner": null, then .runnerrc.json',
      { 'package.json': pkg({ runner: null }), '.runnerrc.json': JSON.stringify(config('rc')) },
    ],
    [
      '.runnerrc.json holding null, then .runnerrc.yaml',
      { '.runnerrc.json': 'null', '.runnerrc.yaml': 'tools:\n  - name: yaml\n    command: ["true", "{file}"]\n' },
    ],
    [
      '.runnerrc.json with $import',
      { 'base.json': JSON.stringify(config('base')), '.runnerrc.json': JSON.stringify({ $import: './base.json' }) },
    ],
    ['.runnerrc.json that is not JSON', { '.runnerrc.json': '{ tools: [' }],
    ['package.json without "runner" alone', { 'package.json': pkg({}) }],
  ];
  it.each(layouts)('searched: %s', async (_name, files) => {
    const dir = dirWith(files);
    expect(await byRunner(dir)).toBe(await byCosmiconfig(dir));
  });

  it.each([
    ['my.json', { 'my.json': JSON.stringify(config('given')) }],
    ['package.json', { 'package.json': pkg({ runner: config('given-pkg') }) }],
    ['package.json', { 'package.json': pkg({}) }],
  ] as [string, Record<string, string>][])('given with -c: %s', async (file, files) => {
    const dir = dirWith(files);
    expect(await byRunner(dir, file)).toBe(await byCosmiconfig(dir, file));
  });
});
