import { defineConfig } from 'vitest/config';

// The unit suite: pure functions and the bundled CLI on generated files. No dockerd, no registry, seconds.
// `npm run test:unit` runs it alone; `npm test` runs it, then vitest.world.config.ts.
export default defineConfig({
  test: {
    include: ['__tests__/unit/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
  },
});
