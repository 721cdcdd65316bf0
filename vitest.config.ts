import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The web app's own import alias (frontend/tsconfig.json), for its unit tests.
  resolve: {
    alias: [{ find: /^@\//, replacement: fileURLToPath(new URL('./frontend/src/', import.meta.url)) }],
  },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'frontend/test/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    // The load test has its own command (`npm run test:load`), and so has the Kubernetes lab
    // test (`npm run test:lab`) until its NetworkPolicy step passes (README, Kubernetes lab).
    exclude: ['**/node_modules/**', 'tests/load/**', 'tests/cluster/**'],
    // Integration tests start real sidecars and servers: one file at a time on 2 cores.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    globalSetup: ['tests/support/global-setup.ts'],
  },
});
