// Runs the oracle on a real tree, by hand (see real-tree.test.ts); npm test's
// projects do not include this folder.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['test/oracle/*.test.ts'], pool: 'forks', testTimeout: 600_000, env: { NO_COLOR: '1' } },
});
