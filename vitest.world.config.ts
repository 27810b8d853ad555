import { defineConfig } from 'vitest/config';

// Integration and end-to-end tests against the real test world: a private dockerd on each image store,
// a registry, a proxy, skopeo, buildah and umoci, and the bundled action under Node 20 and Node 24.
export default defineConfig({
  test: {
    include: ['__tests__/itg/**/*.test.ts', '__tests__/e2e/**/*.test.ts'],
    // Starts scripts/test-world.sh and stops it after the run.
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
