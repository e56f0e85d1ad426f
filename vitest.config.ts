import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // test/reliability/ is its own suite (npm run test:reliability, vitest.reliability.config.ts).
    exclude: ['node_modules/**', '.tools/**', 'data/**', '.cache/**', 'test/reliability/**'],
    // One PostgreSQL and one Temporal dev server for the whole run; each test file makes its own database / task queue.
    globalSetup: ['test/support/postgres.global.ts', 'test/support/temporal.global.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
