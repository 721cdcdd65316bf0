import { defineConfig } from 'vitest/config';

// `npm run test:load`: the load test alone (it is not part of `npm test`).
export default defineConfig({
  test: {
    include: ['tests/load/**/*.test.ts'],
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 900_000,
    hookTimeout: 180_000,
    reporters: ['default', './tests/support/closing-line-reporter.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
  },
});
