import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    // Starts scripts/test-world.sh (private dockerd + registry) and stops it after the run.
    globalSetup: ['__tests__/helpers/global-setup.ts'],
    pool: 'forks',
    // Docker builds on vfs are CPU and disk heavy; the machines have 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Global teardown stops dockerd, which may take up to 15 s before it is KILLed.
    teardownTimeout: 60_000,
  },
});
