import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HUSKY_MARK, addRunnerLine, hookCommandLine, removeRunnerLine } from '../../../src/hook/index.js';

const cmd = hookCommandLine([]);
const line = `${cmd} ${HUSKY_MARK}`;

describe("runner's line in husky's pre-commit file", () => {
  it('issue 15: is valid sh, with the global options before the command and paths quoted', () => {
    expect(hookCommandLine(['-C', 'my app'])).toBe("runner -C 'my app' -q run --staged");
    expect(spawnSync('sh', ['-n', '-c', line]).status).toBe(0);
  });

  it.each([
    ['a missing file is made with a shebang', null, `#!/usr/bin/env sh\n${line}\n`],
    ['an empty file', '', `${line}\n`],
    ["husky init's file", 'npm test\n', `npm test\n${line}\n`],
    ['a last line without a newline', 'npx lint-staged', `npx lint-staged\n${line}\n`],
  ])('issue 15: %s gets the line at its end', (_name, text, expected) => {
    expect(addRunnerLine(text, cmd)).toEqual({ action: 'installed', text: expected });
  });

  it('issue 15: a second install adds nothing; other options rewrite the line where it is', () => {
    const text = `npx lint-staged\n${line}\necho after\n`;
    expect(addRunnerLine(text, cmd)).toEqual({ action: 'unchanged', line: cmd });
    const other = hookCommandLine(['-C', 'app']);
    expect(addRunnerLine(text, other)).toEqual({
      action: 'updated',
      text: `npx lint-staged\n${other} ${HUSKY_MARK}\necho after\n`,
    });
  });

  it('issue 15: a line the user wrote that runs runner --staged counts; a comment or another command does not', () => {
    expect(addRunnerLine('npx lint-staged\nnpx runner -q run --staged\n', cmd)).toEqual({
      action: 'unchanged',
      line: 'npx runner -q run --staged',
    });
    expect(addRunnerLine('# runner run --staged\n', cmd).action).toBe('installed');
    expect(addRunnerLine('runner run\n', cmd).action).toBe('installed');
  });

  it("issue 15: uninstall takes out runner's line only, and the file when nothing else is left", () => {
    expect(removeRunnerLine(`npm test\n${line}\n# mine\n`)).toEqual({ text: 'npm test\n# mine\n', removed: true });
    expect(removeRunnerLine(`#!/usr/bin/env sh\n${line}\n`)).toEqual({ text: null, removed: true });
    expect(removeRunnerLine('npm test\nrunner run --staged\n')).toEqual({
      text: 'npm test\nrunner run --staged\n',
      removed: false,
    });
  });
});
