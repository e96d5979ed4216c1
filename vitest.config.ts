// Two projects: unit (pure logic, fast) and integration (spawns bin/runner on
// temp copies of fixtures/). The forks pool, because better-sqlite3 and
// node-pty are native addons.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    // Integration files mostly wait on child processes (python and node
    // start-up), so four files at a time keep even a 2-core machine busy:
    // measured there, 2 workers took ~80 s, 4 took ~60 s.
    maxWorkers: 4,
    env: { NO_COLOR: '1' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // A few unit tests start python or a worker thread on thousands of
          // files: on a busy 2-core machine that outlasts vitest's 5 s default.
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
