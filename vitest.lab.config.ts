import { defineConfig } from 'vitest/config';

// `npm run test:lab`: the Kubernetes lab test alone (`npm test` runs it among the others).
export default defineConfig({
  test: {
    include: ['tests/cluster/**/*.test.ts'],
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', './tests/support/closing-line-reporter.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
  },
});
