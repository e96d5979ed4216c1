// A tree of the js-deps fixture's config with only the given files, and the
// probe as its one tool with "deps": "javascript" (PROBE_DIR: the scratch dir).
import fs from 'node:fs';
import path from 'node:path';
import { probeTool } from './probe.js';
import { type Sandbox, useFixture, writeConfig, writeText } from './sandbox.js';

/** a.ts imports b.ts; c.ts stands alone. */
export const ABC: Record<string, string> = {
  'src/a.ts': "import { b } from './b';\nexport const a = b;\n",
  'src/b.ts': 'export const b = 1;\n',
  'src/c.ts': 'export const c = 1;\n',
};

export function jsDepsTree(files: Record<string, string>, include: string[] = ['src/**/*.ts']): Sandbox {
  const sb = useFixture('js-deps');
  for (const dir of ['src', 'lib', 'test']) fs.rmSync(path.join(sb.tree, dir), { recursive: true, force: true });
  for (const [rel, text] of Object.entries(files)) writeText(sb, rel, text);
  writeConfig(sb, { include, env: { PROBE_DIR: sb.scratch }, tools: [probeTool({ deps: 'javascript' })] });
  return sb;
}
