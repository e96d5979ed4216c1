// shownFiles says of each file what shown() says, making only its directory relative.
import { describe, expect, test } from 'vitest';
import { shown, shownFiles } from '../../../src/report/style.js';

describe('paths as the user would type them', () => {
  test.each([
    ['/src', '/src/.runner/logs/a.log'],
    ['/src', '/src/a.log'],
    ['/src', '/src/deep/er/a.log'],
    ['/src', '/srcx/a.log'],
    ['/src', '/elsewhere/logs/a.log'],
    ['/src/sub', '/src/.runner/logs/a.log'],
    ['/', '/tmp/logs/a.log'],
    ['/', '/a.log'],
  ])('from %s, %s is shown as shown() shows it', (cwd, abs) => {
    const style = { color: false, cwd };
    const logs = shownFiles(style);
    expect(logs(abs)).toBe(shown(style, abs));
    expect(logs(abs)).toBe(shown(style, abs)); // the directory remembered
  });
});
