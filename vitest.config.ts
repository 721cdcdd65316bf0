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
    // The load test has its own command (`npm run test:load`). The Kubernetes lab test runs here
    // too (as root; it builds its own add-ons and images the first time), and alone with `npm run test:lab`.
    exclude: ['**/node_modules/**', 'tests/load/**'],
    // Integration tests start real sidecars and servers: one file at a time on 2 cores.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', './tests/support/closing-line-reporter.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
  },
});
