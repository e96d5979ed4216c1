// The oracle of deps-javascript-oracle.test.ts on a real tree, run by hand
// (not part of npm test; nothing is written into the tree):
//   ORACLE_TREE=/path/to/repo npx vitest run -c test/oracle/vitest.config.ts
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { compareWithTsc } from '../helpers/js-oracle.js';

const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';
const JS_FILE = /\.(?:js|mjs|cjs|ts|tsx|mts|cts|jsx)$/;

const tree = process.env.ORACLE_TREE;
if (tree === undefined) throw new Error('set ORACLE_TREE to the tree to compare');

test('runner agrees with tsc on every tracked javascript file', async () => {
  const real = fs.realpathSync(tree as string);
  const scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runner-oracle-')));
  onTestFinished(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const configFile = path.join(scratch, 'runnerrc.json');
  fs.writeFileSync(
    configFile,
    json({
      exclude: ['**/node_modules/**', '**/.git/**'],
      tools: [
        {
          name: 'check',
          command: ['node', '-e', '0', '{file}'],
          include: ['**/*.{js,mjs,cjs,ts,tsx,mts,cts,jsx}'],
          deps: 'javascript',
        },
      ],
    }),
  );
  const files = walk(real)
    .filter((rel) => JS_FILE.test(rel))
    .sort();
  const result = await compareWithTsc({
    tree: real,
    files,
    stateDir: path.join(scratch, 'state'),
    configFile,
    runtimeBesideTypes: true,
  });
  console.log(`oracle on ${real}: ${JSON.stringify(result.counts)}; ${result.problems.length} files differ`);
  expect(result.problems.join('\n')).toBe('');
}, 600_000);

function walk(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== '.git') out.push(...walk(root, child));
    else if (entry.isFile()) out.push(child);
  }
  return out;
}
