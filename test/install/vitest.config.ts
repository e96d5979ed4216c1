// The install tests (`npm run test:install`, run by .ci/run after npm test):
// runner installed as people install it, which compiles the native addons
// again and takes minutes, so npm test's projects do not include this folder.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['test/install/*.test.ts'], pool: 'forks', testTimeout: 1_800_000, env: { NO_COLOR: '1' } },
});
